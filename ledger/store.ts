/**
 * The consent ledger's store: the only code that writes `privacy.consent_events` and `privacy.consents`, and the
 * readers of a subject's records. The rule that decides what the records grant is in `./consent.ts`.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consentEvents, consents } from '../db/schema/privacy.ts';
import type { ConsentPurpose } from '../directives/purposes.ts';

/** The privacy-policy version a consent refers to; bump when the policy text changes. */
export const CURRENT_POLICY_VERSION = '2026-04';

export type ConsentSource = (typeof consentEvents.$inferInsert)['source'];
/** One row of the current consent state. */
export type ConsentRow = typeof consents.$inferSelect;
/** One event of the ledger. */
export type ConsentEventRow = typeof consentEvents.$inferSelect;

export interface ConsentChange {
  subjectId: string;
  purpose: ConsentPurpose;
  /** Employer id for a grant to one employer; null for every employer (or a purpose without recipients). */
  recipientId: string | null;
  action: 'GRANT' | 'WITHDRAW';
  source: ConsentSource;
  actor: string;
  policyVersion?: string;
  expiresAt?: Date | null;
  at?: Date;
}

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

/**
 * Appends one event to the ledger and updates the current state in the same transaction.
 * Withdrawing with `recipientId: null` withdraws every grant for the purpose.
 * @example await recordConsent(db, { subjectId, purpose: 'MARKETING', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subjectId });
 */
export async function recordConsent(db: Database, change: ConsentChange): Promise<typeof consents.$inferSelect> {
  return db.transaction(async (tx) => applyConsentChange(tx as unknown as Executor, change));
}

/** The same as `recordConsent`, inside a transaction the caller already holds. */
export async function applyConsentChange(tx: Executor, change: ConsentChange): Promise<typeof consents.$inferSelect> {
  // Serializes the changes of one subject, so the current state is always that of the subject's last event
  // (without it, two concurrent changes can commit their state rows in the opposite order of their events).
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`consent:${change.subjectId.toLowerCase()}`}, 0))`);
  const at = change.at ?? new Date();
  const policyVersion = change.policyVersion ?? CURRENT_POLICY_VERSION;
  const expiresAt = change.action === 'GRANT' ? (change.expiresAt ?? null) : null;
  const [event] = await tx
    .insert(consentEvents)
    .values({
      subjectId: change.subjectId,
      purpose: change.purpose,
      recipientId: change.recipientId,
      action: change.action,
      policyVersion,
      source: change.source,
      actor: change.actor,
      occurredAt: at,
      expiresAt,
    })
    .returning({ id: consentEvents.id });
  if (!event) throw new Error('consent event was not recorded');
  const state = change.action === 'GRANT' ? 'GRANTED' : 'WITHDRAWN';
  const row = {
    subjectId: change.subjectId,
    purpose: change.purpose,
    recipientId: change.recipientId,
    state,
    policyVersion,
    source: change.source,
    lastEventId: event.id,
    updatedAt: at,
    expiresAt,
  } as const;
  const [current] = await tx
    .insert(consents)
    .values(row)
    .onConflictDoUpdate({
      target: [consents.subjectId, consents.purpose, consents.recipientId],
      set: { state, policyVersion, source: change.source, lastEventId: event.id, updatedAt: at, expiresAt },
    })
    .returning();
  if (change.action === 'WITHDRAW' && change.recipientId === null) {
    // A withdrawal for every employer also ends each per-employer grant of the purpose.
    await tx
      .update(consents)
      .set({ state: 'WITHDRAWN', lastEventId: event.id, updatedAt: at, expiresAt: null })
      .where(
        and(
          eq(consents.subjectId, change.subjectId),
          eq(consents.purpose, change.purpose),
          sql`${consents.recipientId} is not null`,
          eq(consents.state, 'GRANTED'),
        ),
      );
  }
  if (!current) throw new Error('consent state was not recorded');
  return current;
}

/**
 * Everything the consent ledger holds about one subject: the current state rows and every event, oldest first
 * (for a data-subject export, and for erasure to find the grants it withdraws).
 * @example const { current, history } = await readSubjectConsentRecords(db, subjectId);
 */
export async function readSubjectConsentRecords(
  db: Pick<Database, 'select'>,
  subjectId: string,
): Promise<{ current: (typeof consents.$inferSelect)[]; history: (typeof consentEvents.$inferSelect)[] }> {
  const current = await db
    .select()
    .from(consents)
    .where(eq(consents.subjectId, subjectId))
    .orderBy(consents.purpose, sql`${consents.recipientId} nulls first`);
  const history = await db.select().from(consentEvents).where(eq(consentEvents.subjectId, subjectId)).orderBy(consentEvents.id);
  return { current, history };
}

/** The current consent rows of many subjects (ids already valid UUIDs), by purpose, the grant to everyone first. */
export async function readConsentsOfSubjects(db: Pick<Database, 'select'>, ids: readonly string[]): Promise<ConsentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(consents)
    .where(inArray(consents.subjectId, [...ids]))
    .orderBy(asc(consents.purpose), sql`${consents.recipientId} asc nulls first`);
}

/** The ledger events of many subjects (ids already valid UUIDs), in the order they were appended. */
export async function readConsentEventsOfSubjects(db: Pick<Database, 'select'>, ids: readonly string[]): Promise<ConsentEventRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(consentEvents).where(inArray(consentEvents.subjectId, [...ids])).orderBy(asc(consentEvents.id));
}

/** One event of a consent history imported in bulk (the seed, or records carried over from another system). */
export interface ImportedConsentEvent extends ConsentChange {
  at: Date;
}

/**
 * The current state a history leaves, exactly as applying its events one by one with applyConsentChange would
 * (pure): `events` with their ledger ids, in ledger order.
 */
export function replayConsentEvents(events: readonly (ImportedConsentEvent & { id: number })[]): ConsentRow[] {
  const state = new Map<string, ConsentRow>();
  const key = (subjectId: string, purpose: string, recipientId: string | null) => `${subjectId}|${purpose}|${recipientId ?? ''}`;
  for (const ev of events) {
    const policyVersion = ev.policyVersion ?? CURRENT_POLICY_VERSION;
    const expiresAt = ev.action === 'GRANT' ? (ev.expiresAt ?? null) : null;
    const stateOf = ev.action === 'GRANT' ? 'GRANTED' : 'WITHDRAWN';
    state.set(key(ev.subjectId, ev.purpose, ev.recipientId), {
      subjectId: ev.subjectId,
      purpose: ev.purpose,
      recipientId: ev.recipientId,
      state: stateOf,
      policyVersion,
      source: ev.source,
      lastEventId: ev.id,
      updatedAt: ev.at,
      expiresAt,
    });
    if (ev.action === 'WITHDRAW' && ev.recipientId === null) {
      // As in applyConsentChange: a withdrawal for every employer also ends each per-employer grant of the purpose.
      for (const row of state.values()) {
        if (row.subjectId === ev.subjectId && row.purpose === ev.purpose && row.recipientId !== null && row.state === 'GRANTED') {
          Object.assign(row, { state: 'WITHDRAWN', lastEventId: ev.id, updatedAt: ev.at, expiresAt: null });
        }
      }
    }
  }
  return [...state.values()];
}

const IMPORT_CHUNK = 1000;

/**
 * Appends the consent histories of subjects that have no consent records yet, in one go, inside the caller's
 * transaction: the events get ledger ids in the order given (oldest first per subject), and the current state is
 * what replayConsentEvents derives from them. For bulk imports; a single change goes through applyConsentChange.
 * @example await importConsentHistory(tx, [{ subjectId, purpose: 'MARKETING', recipientId: null, action: 'GRANT', source: 'IMPORT', actor: 'seed', at }]);
 */
export async function importConsentHistory(tx: Pick<Database, 'insert' | 'execute'>, events: readonly ImportedConsentEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const ids = (await tx.execute(
    sql`select nextval('privacy.consent_events_id_seq')::bigint as id from generate_series(1, ${events.length}::int)`,
  )) as unknown as { rows?: { id: string | number }[] } | { id: string | number }[];
  const reserved = (Array.isArray(ids) ? ids : (ids.rows ?? [])).map((r) => Number(r.id)).sort((a, b) => a - b);
  if (reserved.length !== events.length) throw new Error('consent event ids were not reserved');
  const numbered = events.map((ev, i) => ({ ...ev, id: reserved[i]! }));
  for (let i = 0; i < numbered.length; i += IMPORT_CHUNK) {
    await tx.insert(consentEvents).values(
      numbered.slice(i, i + IMPORT_CHUNK).map((ev) => ({
        id: ev.id,
        subjectId: ev.subjectId,
        purpose: ev.purpose,
        recipientId: ev.recipientId,
        action: ev.action,
        policyVersion: ev.policyVersion ?? CURRENT_POLICY_VERSION,
        source: ev.source,
        actor: ev.actor,
        occurredAt: ev.at,
        expiresAt: ev.action === 'GRANT' ? (ev.expiresAt ?? null) : null,
      })),
    );
  }
  const rows = replayConsentEvents(numbered);
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) await tx.insert(consents).values(rows.slice(i, i + IMPORT_CHUNK));
  return numbered.length;
}
