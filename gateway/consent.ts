import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { ConsentLoader, ConsentRecord } from '../directives/decide.ts';
import { isUuid } from '../subgraphs/common/sql.ts';

/** Text-array literal for a `$n::text[]` or `$n::uuid[]` parameter (values are validated UUIDs or purpose names). */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

const SAFE_PURPOSE = /^[A-Z_]+$/;

/**
 * Loads the current consent of many subjects in one prepared query (never cached: withdrawals take effect at once).
 * Without a scope: every consent row of the subjects. With one: PostgreSQL decides, as isConsentGranted does,
 * which (subject, purpose) pairs the scope's recipient may rely on at the scope's time, and only those come back,
 * as effective grants: an employer page reads one row per purpose (its consenting subjects) instead of every grant.
 * A subject id that is not a UUID has no consent, so whatever depends on it stays withheld.
 */
export function createConsentLoader(db: Database): ConsentLoader {
  const lookup = db
    .select({
      subjectId: consents.subjectId,
      purpose: consents.purpose,
      recipientId: consents.recipientId,
      state: consents.state,
      expiresAt: consents.expiresAt,
    })
    .from(consents)
    .where(sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[])`)
    .prepare('gateway_consent_lookup');
  // At most one row per (subject, purpose, recipient): a live grant to the recipient wins, a withdrawal from the
  // recipient loses, otherwise a live grant to every employer counts. Expired grants count as withdrawn.
  const live = sql`${consents.state} = 'GRANTED' and (${consents.expiresAt} is null or ${consents.expiresAt} > ${sql.placeholder('now')}::timestamptz)`;
  const recipient = sql`${consents.recipientId} = ${sql.placeholder('recipient')}::uuid`;
  const pairs = db
    .select({ subjectId: sql<string>`${consents.subjectId}::text`.as('subject_id'), purpose: consents.purpose })
    .from(consents)
    .where(
      sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[]) and ${consents.purpose} = any(${sql.placeholder('purposes')}::text[]) and (${consents.recipientId} is null or ${recipient})`,
    )
    .groupBy(consents.subjectId, consents.purpose)
    .having(
      sql`coalesce(bool_or(${recipient} and ${live}), false)
        or (not coalesce(bool_or(${recipient} and ${consents.state} = 'WITHDRAWN'), false)
            and coalesce(bool_or(${consents.recipientId} is null and ${live}), false))`,
    )
    .as('granted');
  // One row per purpose with its consenting subjects joined by commas (UUIDs hold none): a page of 100 subjects is
  // one short row to parse, not 100.
  const granted = db
    .select({ purpose: pairs.purpose, subjects: sql<string>`string_agg(${pairs.subjectId}, ',')` })
    .from(pairs)
    .groupBy(pairs.purpose)
    .prepare('gateway_consent_granted');
  return async (subjectIds, scope) => {
    const ids = subjectIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    if (scope && scope.purposes.every((p) => SAFE_PURPOSE.test(p)) && (scope.recipient === null || isUuid(scope.recipient))) {
      const rows = await granted.execute({
        subjects: arrayLiteral(ids),
        purposes: arrayLiteral(scope.purposes),
        recipient: scope.recipient,
        now: scope.now.toISOString(),
      });
      const out = new Map<string, readonly ConsentRecord[]>();
      for (const row of rows) {
        const grant: ConsentRecord = Object.freeze({ purpose: row.purpose, recipientId: scope.recipient, state: 'GRANTED', expiresAt: null });
        // Subjects with this grant alone share one frozen list.
        const only = Object.freeze([grant]);
        for (const subjectId of row.subjects.split(',')) {
          const list = out.get(subjectId);
          out.set(subjectId, list ? [...list, grant] : only);
        }
      }
      return out;
    }
    const rows = await lookup.execute({ subjects: arrayLiteral(ids) });
    const all = new Map<string, ConsentRecord[]>();
    for (const row of rows) {
      const list = all.get(row.subjectId) ?? [];
      list.push({ purpose: row.purpose, recipientId: row.recipientId, state: row.state, expiresAt: row.expiresAt });
      all.set(row.subjectId, list);
    }
    return all;
  };
}
