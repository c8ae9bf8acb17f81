import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { ConsentLoader, ConsentRecord, ConsentScope } from '../directives/decide.ts';
import { isUuid } from '../directives/protocol/ids.ts';
import { RESTRICTABLE_WITHOUT_CONSENT } from '../directives/purposes.ts';
import { readRestrictedPurposes } from '../ledger/restrictions.ts';
import { consentGrantedAggregateSql, consentNotRestrictedSql, grantingEventAggregateSql, restrictionMarker, subjectHonoursConsentSql } from '../ledger/consent.ts';

/** Text-array literal for a `$n::text[]` or `$n::uuid[]` parameter (values are validated UUIDs or purpose names). */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

const SAFE_PURPOSE = /^[A-Z_]+$/;

/** Purposes whose per-subject check is a restriction, not a consent (SUPPORT): looked up in privacy.restrictions. */
const RESTRICTION_ONLY: ReadonlySet<string> = new Set(RESTRICTABLE_WITHOUT_CONSENT);

/** Adds a restriction marker (ledger/consent.ts) for each restricted (subject, purpose) to `into`. */
function addRestrictionMarkers(into: Map<string, readonly ConsentRecord[]>, restricted: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const [subjectId, purposes] of restricted) {
    const markers = [...purposes].map(restrictionMarker);
    const list = into.get(subjectId);
    into.set(subjectId, list ? [...list, ...markers] : markers);
  }
}

export interface ConsentLoaderOptions {
  /**
   * Scoped lookups of one scope (recipient and purposes) that may be in flight at once (default 2). Lookups made
   * while that many are in flight wait, and go out together as one query when one comes back.
   */
  maxInFlight?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 2;

interface Waiter {
  ids: readonly string[];
  resolve(consents: ReadonlyMap<string, readonly ConsentRecord[]>): void;
  reject(error: unknown): void;
}

/** The lookups of one scope that have not gone out yet: they go out as one query. */
interface Batch {
  scope: ConsentScope;
  ids: Set<string>;
  waiters: Waiter[];
}

interface ScopeQueue {
  inFlight: number;
  scheduled: boolean;
  pending: Batch | null;
}

/**
 * Coalesces concurrent scoped lookups of the same recipient and purposes into one query: under load, one round
 * trip to the database answers many requests. No answer is ever reused: a lookup only joins a query that has not
 * been sent yet, so it sees every consent change committed before it was asked. A batch is asked at the latest
 * `now` among its lookups, which is the same as asking each of them a moment later, never earlier (a grant that
 * expired in between counts as expired). Each lookup gets the answers for its own subjects only, and a failed
 * query fails every lookup in it (they deny).
 */
export function coalesceLookups(
  load: (ids: Iterable<string>, scope: ConsentScope) => Promise<Map<string, readonly ConsentRecord[]>>,
  maxInFlight: number,
): (ids: readonly string[], scope: ConsentScope) => Promise<ReadonlyMap<string, readonly ConsentRecord[]>> {
  const queues = new Map<string, ScopeQueue>();
  const flush = (key: string, queue: ScopeQueue) => {
    queue.scheduled = false;
    const batch = queue.pending;
    if (!batch) return;
    queue.pending = null;
    queue.inFlight++;
    const failAll = (error: unknown) => {
      for (const waiter of batch.waiters) waiter.reject(error);
    };
    load(batch.ids, batch.scope)
      .then((all) => {
        // A lookup alone in its batch asked for every subject in it: the answer is already its own.
        if (batch.waiters.length === 1) return batch.waiters[0]!.resolve(all);
        for (const waiter of batch.waiters) {
          const own = new Map<string, readonly ConsentRecord[]>();
          for (const id of waiter.ids) {
            const records = all.get(id);
            if (records) own.set(id, records);
          }
          waiter.resolve(own);
        }
      }, failAll)
      // Whatever goes wrong, every lookup settles (a settled one ignores this) and nothing is left unhandled.
      .catch(failAll)
      .finally(() => {
        queue.inFlight--;
        if (queue.pending) schedule(key, queue);
        else if (queue.inFlight === 0 && !queue.scheduled) queues.delete(key);
      });
  };
  const schedule = (key: string, queue: ScopeQueue) => {
    if (queue.scheduled || queue.inFlight >= maxInFlight) return;
    queue.scheduled = true;
    // After the current turn of the event loop: every lookup made in it joins the same query.
    setImmediate(flush, key, queue);
  };
  return (ids, scope) =>
    new Promise((resolve, reject) => {
      const key = `${scope.recipient ?? ''}\u0000${scope.purposes.join(',')}`;
      let queue = queues.get(key);
      if (!queue) queues.set(key, (queue = { inFlight: 0, scheduled: false, pending: null }));
      const batch = (queue.pending ??= { scope: { purposes: scope.purposes, recipient: scope.recipient, now: scope.now }, ids: new Set(), waiters: [] });
      if (scope.now > batch.scope.now) batch.scope.now = scope.now;
      for (const id of ids) batch.ids.add(id);
      batch.waiters.push({ ids, resolve, reject });
      schedule(key, queue);
    });
}

/**
 * Loads the current consent of many subjects in one prepared query (never cached: withdrawals take effect at once).
 * Without a scope: every consent row of the subjects. With one: PostgreSQL decides, by the ledger's rule in its SQL form (ledger/consent.ts),
 * which (subject, purpose) pairs the scope's recipient may rely on at the scope's time, and only those come back,
 * as effective grants: an employer page reads one row per purpose (its consenting subjects) instead of every grant.
 * A subject id that is not a UUID has no consent, so whatever depends on it stays withheld; so has a subject whose
 * standing does not honour consent (left the service, suspended, not registered), or who restricted the purpose: only
 * records in force come back. A scope naming a restrictable purpose that needs no consent (SUPPORT) is answered from
 * the subjects' restrictions instead, as restriction markers (ledger/consent.ts); so is every lookup without a scope.
 * Concurrent scoped lookups of the same scope go out together (see coalesceLookups): under load, one round trip answers
 * many requests, and an answer is still never reused.
 */
export function createConsentLoader(db: Database, options: ConsentLoaderOptions = {}): ConsentLoader {
  const lookup = db
    .select({
      subjectId: consents.subjectId,
      purpose: consents.purpose,
      recipientId: consents.recipientId,
      state: consents.state,
      expiresAt: consents.expiresAt,
      eventId: consents.lastEventId,
    })
    .from(consents)
    .where(
      sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[]) and ${subjectHonoursConsentSql(consents.subjectId)} and ${consentNotRestrictedSql(consents.subjectId, consents.purpose)}`,
    )
    .prepare('gateway_consent_lookup');
  // At most one row per (subject, purpose): the ledger's rule (ledger/consent.ts) decides, as an aggregate, whether
  // the subject's rows of the purpose grant it to the recipient at `now`.
  const recipient = sql`${consents.recipientId} = ${sql.placeholder('recipient')}::uuid`;
  const pairs = db
    .select({
      subjectId: sql<string>`${consents.subjectId}::text`.as('subject_id'),
      purpose: consents.purpose,
      // The ledger event the grant rests on: the basis of a provision record.
      eventId: grantingEventAggregateSql(consents, sql`${sql.placeholder('recipient')}::uuid`, sql`${sql.placeholder('now')}::timestamptz`).as('event_id'),
    })
    .from(consents)
    .where(
      sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[]) and ${consents.purpose} = any(${sql.placeholder('purposes')}::text[]) and (${consents.recipientId} is null or ${recipient}) and ${subjectHonoursConsentSql(consents.subjectId)} and ${consentNotRestrictedSql(consents.subjectId, consents.purpose)}`,
    )
    .groupBy(consents.subjectId, consents.purpose)
    .having(consentGrantedAggregateSql(consents, sql`${sql.placeholder('recipient')}::uuid`, sql`${sql.placeholder('now')}::timestamptz`))
    .as('granted');
  // One row per purpose with its consenting subjects joined by commas (UUIDs hold none): a page of 100 subjects is
  // one short row to parse, not 100. Their events come in the same order.
  const granted = db
    .select({
      purpose: pairs.purpose,
      subjects: sql<string>`string_agg(${pairs.subjectId}, ',' order by ${pairs.subjectId})`,
      events: sql<string>`string_agg(${pairs.eventId}::text, ',' order by ${pairs.subjectId})`,
    })
    .from(pairs)
    .groupBy(pairs.purpose)
    .prepare('gateway_consent_granted');
  const loadGranted = async (ids: Iterable<string>, scope: ConsentScope): Promise<Map<string, readonly ConsentRecord[]>> => {
    const subjects = [...ids];
    // A scope names consent purposes (the grants decide) or, for a restrictable purpose without consent (SUPPORT),
    // one whose restrictions decide: a request under one purpose sends one query either way.
    const consentPurposes = scope.purposes.filter((p) => !RESTRICTION_ONLY.has(p));
    const restrictionPurposes = scope.purposes.filter((p) => RESTRICTION_ONLY.has(p));
    const [rows, restricted] = await Promise.all([
      consentPurposes.length === 0
        ? []
        : granted.execute({ subjects: arrayLiteral(subjects), purposes: arrayLiteral(consentPurposes), recipient: scope.recipient, now: scope.now.toISOString() }),
      restrictionPurposes.length === 0 ? null : readRestrictedPurposes(db, subjects, restrictionPurposes),
    ]);
    const out = new Map<string, readonly ConsentRecord[]>();
    if (restricted) addRestrictionMarkers(out, restricted);
    for (const row of rows) {
      const events = row.events.split(',');
      row.subjects.split(',').forEach((subjectId, i) => {
        const grant: ConsentRecord = Object.freeze({ purpose: row.purpose, recipientId: scope.recipient, state: 'GRANTED', expiresAt: null, eventId: Number(events[i]) });
        const list = out.get(subjectId);
        out.set(subjectId, list ? [...list, grant] : [grant]);
      });
    }
    return out;
  };
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}.`);
  const batched = coalesceLookups(loadGranted, maxInFlight);
  return async (subjectIds, scope) => {
    const ids = subjectIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    if (scope && scope.purposes.every((p) => SAFE_PURPOSE.test(p)) && (scope.recipient === null || isUuid(scope.recipient))) {
      return batched(ids, scope);
    }
    const [rows, restricted] = await Promise.all([lookup.execute({ subjects: arrayLiteral(ids) }), readRestrictedPurposes(db, ids, RESTRICTABLE_WITHOUT_CONSENT)]);
    const all = new Map<string, readonly ConsentRecord[]>();
    for (const row of rows) {
      const list = (all.get(row.subjectId) as ConsentRecord[] | undefined) ?? [];
      list.push({ purpose: row.purpose, recipientId: row.recipientId, state: row.state, expiresAt: row.expiresAt, eventId: row.eventId });
      all.set(row.subjectId, list);
    }
    addRestrictionMarkers(all, restricted);
    return all;
  };
}
