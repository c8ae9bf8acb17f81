/**
 * The candidate's consent API in the users subgraph: `Candidate.consents`, `Candidate.consentHistory`,
 * `Mutation.grantConsent` and `Mutation.withdrawConsent`.
 *
 * Semantics (the tests in consent.test.ts and test/consent.e2e.test.ts prove each of them):
 * - Every grant or withdrawal appends one event to the ledger (`privacy.consent_events`, append-only) and updates
 *   the current state (`privacy.consents`) in the same transaction; the mutation returns after the commit, so the
 *   change governs every request that starts after the response (nothing caches consent across requests).
 * - State is kept per (subject, purpose, recipient). For EMPLOYER_DISCLOSURE a grant to one employer and a grant
 *   to every employer (`recipient: null`) are separate rows; MARKETING, SURVEY and ADVERTISING take no recipient.
 * - An employer may see the candidate when there is a live grant to that employer, or a live grant to every
 *   employer and no withdrawal for that employer: withdrawing for one employer excludes it even under an
 *   every-employer grant (until the candidate grants to that employer again).
 * - Withdrawing with `recipient: null` withdraws every grant of the purpose: the every-employer row and each
 *   per-employer row. Those per-employer rows then count as withdrawals for their employers (see above), so a later
 *   every-employer grant does not reopen them; the candidate grants to each such employer again if they wish.
 * - A grant may carry an `expiresAt`; once it has passed, the grant counts as withdrawn (`granted: false`,
 *   `state: EXPIRED`), everywhere: row filters in SQL, the gateway's consent check and this API.
 * - Bad input (a recipient on a purpose that takes none, a recipient that is not a known employer id, an
 *   `expiresAt` that is unparsable or not in the future) is refused with BAD_USER_INPUT and writes nothing.
 * - Only the candidate acts on their own consent here (source PRIVACY_CENTER, actor the caller's `sub`);
 *   every other role gets FORBIDDEN. Withdrawing is always possible; granting needs an active account.
 */
import { PURPOSES, isConsentPurpose, type ConsentPurpose } from '../../directives/purposes.ts';
import { SUBJECT_STANDINGS } from '../../directives/standing.ts';
import { consentStateAt, isConsentLive } from '../../ledger/consent.ts';
import { applyConsentChange, readConsentEventsOfSubjects, readConsentsOfSubjects, type ConsentEventRow, type ConsentRow } from '../../ledger/store.ts';
import { isRegisteredRecipient, readSubjectStanding } from '../../ledger/subjects.ts';
import { readRestrictionsOfSubjects } from '../../ledger/restrictions.ts';
import type { SubgraphContext } from '../common/context.ts';
import { isUuid, iso } from '../common/sql.ts';
import { groupLoader } from '../common/batch-loader.ts';
import { badInput, forbidden, withoutLeaks } from '../common/errors.ts';

export type { ConsentEventRow, ConsentRow };

/** The current consent rows of many candidates, one query per request wave. */
export function consentsLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'users.consents', (ids) => readConsentsOfSubjects(ctx.db, ids), (row) => row.subjectId);
}

/** The standing restrictions of many candidates, oldest first. */
export function restrictionsLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'users.restrictions', (ids) => readRestrictionsOfSubjects(ctx.db, ids), (row) => row.subjectId);
}

/** The ledger events of many candidates in the order they were appended. */
export function consentHistoryLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'users.consentHistory', (ids) => readConsentEventsOfSubjects(ctx.db, ids), (row) => row.subjectId);
}

/**
 * Whether the caller may read this candidate's consent record: the candidate their own, support and compliance staff
 * anyone's; no one else (defence in depth: the purpose rules of `Candidate.consents` apply on top, at both enforcement points).
 */
export function mayReadConsents(ctx: SubgraphContext, candidateId: string): boolean {
  switch (ctx.caller.role) {
    case 'candidate':
      return isUuid(ctx.caller.sub) && ctx.caller.sub.toLowerCase() === candidateId;
    case 'support':
    case 'compliance':
      return true;
    default:
      return false;
  }
}

function employerReference(recipientId: string | null) {
  return recipientId === null ? null : { __typename: 'Employer', id: recipientId };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses an ISO 8601 / RFC 3339 date-time with a time zone (`2027-03-31T23:59:59+09:00`); null when it is not one
 * or names an impossible moment (`2027-02-30T…`, `25:00`), which `Date.parse` would silently roll over.
 */
export function parseDateTime(text: string): Date | null {
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const [oh, om] = zone!.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

interface ConsentArgs {
  purpose: ConsentPurpose;
  recipient?: string | null;
  expiresAt?: string | null;
}

const UNKNOWN_EMPLOYER = '"recipient" is not the id of a known employer.';

/**
 * Records the calling candidate's grant or withdrawal: validates everything first, then appends the event and
 * updates the current state in one transaction. Changes of one subject are serialized, so the current state
 * always reflects the subject's last event even when two requests race.
 */
export async function changeConsent(ctx: SubgraphContext, action: 'GRANT' | 'WITHDRAW', args: ConsentArgs): Promise<ConsentRow> {
  const { caller } = ctx;
  if (caller.role !== 'candidate' || !isUuid(caller.sub)) {
    throw forbidden('Only a candidate can grant or withdraw their own consent.');
  }
  const subjectId = caller.sub.toLowerCase();
  if (!isConsentPurpose(args.purpose)) throw badInput('"purpose" does not need consent.', { argument: 'purpose' });
  const { purpose } = args;

  let recipientId: string | null = null;
  if (args.recipient !== null && args.recipient !== undefined) {
    if (PURPOSES[purpose].consent !== 'subject-and-recipient') {
      throw badInput(`${purpose} is consented to as a whole: "recipient" must be omitted.`, { argument: 'recipient' });
    }
    if (!isUuid(args.recipient)) throw badInput(UNKNOWN_EMPLOYER, { argument: 'recipient' });
    recipientId = args.recipient.toLowerCase();
  }

  let expiresAt: Date | null = null;
  if (action === 'GRANT' && args.expiresAt !== null && args.expiresAt !== undefined) {
    expiresAt = parseDateTime(args.expiresAt);
    if (!expiresAt) {
      throw badInput('"expiresAt" must be an ISO 8601 date-time with a time zone, e.g. 2027-03-31T23:59:59+09:00.', {
        argument: 'expiresAt',
      });
    }
    if (expiresAt.getTime() <= Date.now()) throw badInput('"expiresAt" must be in the future.', { argument: 'expiresAt' });
  }

  return withoutLeaks('record the consent', () =>
    ctx.db.transaction(async (tx) => {
      // Locked until the commit: the standing cannot change between this check and the consent it allows.
      const standing = await readSubjectStanding(tx, subjectId, { lock: true });
      if (standing === null) throw forbidden('Only a candidate can grant or withdraw their own consent.');
      // Withdrawing is a right that is never blocked; granting needs a standing whose consents count.
      if (action === 'GRANT' && !SUBJECT_STANDINGS[standing].honoursConsent) throw forbidden('Only an active candidate can grant consent.');
      // Key-share lock: the employer's registration cannot disappear between this check and the commit.
      if (recipientId !== null && !(await isRegisteredRecipient(tx, recipientId, 'EMPLOYER', { lock: true }))) {
        throw badInput(UNKNOWN_EMPLOYER, { argument: 'recipient' });
      }
      // applyConsentChange serializes the changes of one subject (ledger order = order the state was written).
      return applyConsentChange(tx, {
        subjectId,
        purpose,
        recipientId,
        action,
        source: 'PRIVACY_CENTER',
        actor: caller.sub,
        expiresAt,
      });
    }),
  );
}

/** Field resolvers of `Consent` (over a `privacy.consents` row) and `ConsentEvent` (over a ledger row). */
export const consentTypeResolvers = {
  Consent: {
    recipient: (row: ConsentRow) => employerReference(row.recipientId),
    granted: (row: ConsentRow) => isConsentLive(row, new Date()),
    state: (row: ConsentRow) => consentStateAt(row, new Date()),
    updatedAt: (row: ConsentRow) => iso(row.updatedAt),
    expiresAt: (row: ConsentRow) => iso(row.expiresAt),
  },
  ConsentEvent: {
    id: (row: ConsentEventRow) => String(row.id),
    recipient: (row: ConsentEventRow) => employerReference(row.recipientId),
    occurredAt: (row: ConsentEventRow) => iso(row.occurredAt),
    expiresAt: (row: ConsentEventRow) => iso(row.expiresAt),
  },
};
