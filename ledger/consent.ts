/**
 * The consent rule, written once: when a subject's consent records grant a purpose (to an employer), as a pure
 * function and as the SQL that decides the same in PostgreSQL. The gateway's consent lookup, the subgraphs' row
 * filters and the consent API all use these; `gateway/consent.test.ts` proves the pure and the SQL forms agree.
 *
 * The rule:
 * - a grant is live while its state is GRANTED and its expiry (if any) has not passed; an expired grant counts as
 *   withdrawn;
 * - for a recipient (an employer): a live grant to that recipient counts; otherwise a withdrawal for that recipient
 *   excludes it; otherwise a live grant to every recipient (recipient null) counts;
 * - without a recipient: only a live grant to every recipient counts;
 * - and only while the subject's standing honours consent (directives/standing.ts): the records of a subject who
 *   left the service or whose use is suspended, or who is not a registered subject at all, grant nothing;
 * - and only for a purpose the subject has not restricted (APPI Art. 35, ledger/restrictions.ts): the records of a
 *   restricted purpose grant nothing while the restriction stands, whatever they say.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ConsentPurpose } from '../directives/purposes.ts';
import { CONSENT_HONOURING_STANDINGS, SUBJECT_STANDINGS, type SubjectStanding } from '../directives/standing.ts';
import { isRestricted, subjectRestrictsSql } from './restrictions.ts';

/** One row of a subject's current consent state. */
export interface ConsentRecord {
  purpose: string;
  recipientId: string | null;
  state: 'GRANTED' | 'WITHDRAWN';
  expiresAt: Date | null;
  /** The ledger event that set this state (`last_event_id`), where the reader asked for it. */
  eventId?: number;
  /** Not a consent row: the subject restricted `purpose` (a purpose that needs no consent; see restrictionMarker). */
  restricted?: true;
}

/**
 * What a consent lookup returns, beside the consent records, for a restrictable purpose that needs no consent (SUPPORT)
 * the subject restricted: it grants nothing (withdrawn, never live) and isPurposeRestricted finds it.
 */
export function restrictionMarker(purpose: string): ConsentRecord {
  return Object.freeze({ purpose, recipientId: null, state: 'WITHDRAWN', expiresAt: null, restricted: true });
}

/** Whether a subject's records (as a consent lookup returns them) carry a restriction of `purpose`. */
export function isPurposeRestricted(records: readonly ConsentRecord[], purpose: string): boolean {
  return records.some((r) => r.restricted === true && r.purpose === purpose);
}

/** A grant whose expiry has passed counts as withdrawn. */
export function isConsentLive(record: Pick<ConsentRecord, 'state' | 'expiresAt'>, now: Date): boolean {
  return record.state === 'GRANTED' && (record.expiresAt === null || record.expiresAt.getTime() > now.getTime());
}

/** What a consent row means at `now`: granted, withdrawn, or granted with an expiry that has passed. */
export function consentStateAt(record: Pick<ConsentRecord, 'state' | 'expiresAt'>, now: Date): 'GRANTED' | 'WITHDRAWN' | 'EXPIRED' {
  if (record.state === 'WITHDRAWN') return 'WITHDRAWN';
  return isConsentLive(record, now) ? 'GRANTED' : 'EXPIRED';
}

const NOTHING_RESTRICTED: ReadonlySet<string> = new Set();

/**
 * The consent records that are in force for a subject of `standing` (null: not a registered subject) who restricted
 * `restricted` purposes: none unless the standing honours consent, and none of a restricted purpose.
 * The gateway's consent loader returns only records in force.
 */
export function consentsInForce<R extends ConsentRecord>(
  records: readonly R[],
  standing: SubjectStanding | null,
  restricted: ReadonlySet<string> = NOTHING_RESTRICTED,
): readonly R[] {
  if (standing === null || !SUBJECT_STANDINGS[standing].honoursConsent) return [];
  return restricted.size === 0 ? records : records.filter((r) => !isRestricted(restricted, r.purpose));
}

/**
 * Whether `records` (one subject's current consent rows, in force: see consentsInForce) grant `purpose` to `recipient` at `now` (see the rule above).
 * @example isConsentGranted(rows, 'EMPLOYER_DISCLOSURE', employerId, new Date())
 */
export function isConsentGranted(
  records: readonly ConsentRecord[],
  purpose: ConsentPurpose,
  recipient: string | null,
  now: Date,
): boolean {
  let general: ConsentRecord | undefined;
  let specific: ConsentRecord | undefined;
  for (const r of records) {
    if (r.purpose !== purpose) continue;
    if (r.recipientId === null) general ??= r;
    else if (recipient !== null && r.recipientId === recipient) specific ??= r;
  }
  if (specific && isConsentLive(specific, now)) return true;
  if (specific && specific.state === 'WITHDRAWN') return false;
  return general !== undefined && isConsentLive(general, now);
}

/**
 * The record a grant rests on (its `eventId` is the basis of a provision record): when isConsentGranted grants,
 * the live grant to the recipient if there is one, else the live grant to every recipient; undefined otherwise.
 */
export function grantingConsent(
  records: readonly ConsentRecord[],
  purpose: ConsentPurpose,
  recipient: string | null,
  now: Date,
): ConsentRecord | undefined {
  if (!isConsentGranted(records, purpose, recipient, now)) return undefined;
  // Plain loops: this runs once per released subject of a page.
  let general: ConsentRecord | undefined;
  for (const r of records) {
    if (r.purpose !== purpose || !isConsentLive(r, now)) continue;
    if (recipient !== null && r.recipientId === recipient) return r;
    if (r.recipientId === null) general ??= r;
  }
  return general;
}

/** The columns of a `privacy.consents` row the rule reads, as SQL (a table's columns, an alias's, or raw names). */
export interface ConsentColumns {
  recipientId: AnyPgColumn | SQL;
  state: AnyPgColumn | SQL;
  expiresAt: AnyPgColumn | SQL;
}

/** SQL form of isConsentLive over one row; `now` is a timestamptz expression. */
export function consentLiveSql(c: ConsentColumns, now: SQL): SQL {
  return sql`(${c.state} = 'GRANTED' and (${c.expiresAt} is null or ${c.expiresAt} > ${now}))`;
}

/**
 * SQL form of isConsentGranted as an aggregate over one subject's rows of one purpose (group by subject, purpose):
 * true when those rows grant the purpose to `recipient` (a uuid expression) at `now` (a timestamptz expression).
 */
export function consentGrantedAggregateSql(c: ConsentColumns, recipient: SQL, now: SQL): SQL {
  const toRecipient = sql`${c.recipientId} = ${recipient}`;
  return sql`(coalesce(bool_or(${toRecipient} and ${consentLiveSql(c, now)}), false)
    or (not coalesce(bool_or(${toRecipient} and ${c.state} = 'WITHDRAWN'), false)
        and coalesce(bool_or(${c.recipientId} is null and ${consentLiveSql(c, now)}), false)))`;
}

/**
 * SQL form of grantingConsent's event, over the same group as consentGrantedAggregateSql (valid where that is true):
 * the `last_event_id` of the live grant to `recipient`, else of the live grant to every recipient.
 */
export function grantingEventAggregateSql(c: ConsentColumns & { lastEventId: AnyPgColumn | SQL }, recipient: SQL, now: SQL): SQL<number> {
  return sql<number>`coalesce(max(${c.lastEventId}) filter (where ${c.recipientId} = ${recipient} and ${consentLiveSql(c, now)}),
    max(${c.lastEventId}) filter (where ${c.recipientId} is null and ${consentLiveSql(c, now)}))`;
}

/** The standings that honour consent, as an SQL list of enum literals (from the policy table, never input). */
const HONOURING = sql.raw(CONSENT_HONOURING_STANDINGS.map((s) => `'${s}'`).join(', '));

/**
 * SQL form of consentsInForce: the subject in `subjectColumn` is registered and their standing honours consent.
 * Staff searches without consent use it too, as "the subject is active".
 */
export function subjectHonoursConsentSql(subjectColumn: AnyPgColumn | SQL): SQL {
  return sql`exists (select 1 from privacy.subjects standing_of where standing_of.subject_id = ${subjectColumn} and standing_of.standing in (${HONOURING}))`;
}

/**
 * SQL form of consentsInForce's restriction, over a `privacy.consents` row: the row's subject has not restricted its
 * purpose. One primary-key probe of `privacy.restrictions` per row the rule reads.
 */
export function consentNotRestrictedSql(subjectColumn: AnyPgColumn | SQL, purposeColumn: string | AnyPgColumn | SQL): SQL {
  return sql`not ${subjectRestrictsSql(subjectColumn, purposeColumn)}`;
}

/** The ledger's current-state table read by a correlated subquery, under the alias `c`. */
const C: ConsentColumns = { recipientId: sql.raw('c.recipient_id'), state: sql.raw('c.state'), expiresAt: sql.raw('c.expires_at') };

/**
 * SQL condition: the subject in `subjectColumn` currently consents to `purpose` (for `recipientId`, when the purpose
 * is given per employer), their standing honours it and they have not restricted it, decided as
 * isConsentGranted(consentsInForce(…)) decides it.
 * @example db.select().from(candidates).where(hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', employerId))
 */
export function hasConsentSql(subjectColumn: AnyPgColumn | SQL, purpose: ConsentPurpose, recipientId: string | null, now: Date = new Date()): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  if (recipientId === null) {
    return sql`(exists (select 1 from privacy.consents c where c.subject_id = ${subjectColumn} and c.purpose = ${purpose} and c.recipient_id is null and ${consentLiveSql(C, at)})
      and ${subjectHonoursConsentSql(subjectColumn)} and ${consentNotRestrictedSql(subjectColumn, purpose)})`;
  }
  // One correlated aggregate over the subject's few rows (the unique index on subject, purpose, recipient):
  // PostgreSQL cannot turn it into a hash of every consenting subject, so a page costs what it reads, not the table.
  return sql`((
    select ${consentGrantedAggregateSql(C, sql`${recipientId}::uuid`, at)}
    from privacy.consents c where c.subject_id = ${subjectColumn} and c.purpose = ${purpose}
  ) and ${subjectHonoursConsentSql(subjectColumn)} and ${consentNotRestrictedSql(subjectColumn, purpose)})`;
}
