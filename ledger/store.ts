/**
 * The consent ledger's store: the only code that writes `privacy.consent_events` and `privacy.consents`, and the
 * readers of a subject's records. The rule that decides what the records grant is in `./consent.ts`.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consentEvents, consents } from '../db/schema/privacy.ts';
import type { ConsentPurpose } from '../directives/purposes.ts';

/** The privacy-policy version a consent refers to; bump when the policy text changes. */
export const CURRENT_POLICY_VERSION = '2026-04';

export type ConsentSource = (typeof consentEvents.$inferInsert)['source'];

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
