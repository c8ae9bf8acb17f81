/**
 * The registries the consent rule reads, and the only code that writes them: each data subject's standing
 * (`privacy.subjects`) and each recipient a consent may name (`privacy.recipients`). The subgraph that owns a subject
 * or a recipient registers it here, in the transaction that creates or changes it; no subgraph reads another's tables
 * to learn whether a candidate is active or an employer exists.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { recipients, subjects } from '../db/schema/privacy.ts';
import { isSubjectStanding, type SubjectStanding } from '../directives/standing.ts';

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

/** Rows per statement of a bulk registration (well below the bound-parameter limit). */
const CHUNK = 1000;

/** A registered recipient's kind (the party a consent names). */
export type RecipientKind = (typeof recipients.$inferInsert)['kind'];

/**
 * Registers data subjects, or sets the standing of registered ones (in the caller's transaction).
 * @example await recordSubjectStanding(tx, [{ subjectId, standing: 'WITHDRAWN' }]);
 */
export async function recordSubjectStanding(
  tx: Pick<Database, 'insert'>,
  changes: readonly { subjectId: string; standing: SubjectStanding; at?: Date }[],
): Promise<void> {
  for (const c of changes) {
    if (!isSubjectStanding(c.standing)) throw new RangeError(`Unknown subject standing ${JSON.stringify(c.standing)}.`);
  }
  // The last change of a subject wins (one statement may not touch a row twice).
  changes = [...new Map(changes.map((c) => [c.subjectId, c])).values()];
  if (changes.length === 0) return;
  for (let i = 0; i < changes.length; i += CHUNK) {
    await tx
      .insert(subjects)
      .values(changes.slice(i, i + CHUNK).map((c) => ({ subjectId: c.subjectId, standing: c.standing, updatedAt: c.at ?? new Date() })))
      .onConflictDoUpdate({ target: subjects.subjectId, set: { standing: sql`excluded.standing`, updatedAt: sql`excluded.updated_at` } });
  }
}

/**
 * The standing of one subject, or null when it is not a registered subject. With `lock`, the row is locked against
 * a concurrent change of standing until the caller's transaction ends (FOR SHARE: changes wait, readers do not).
 */
export async function readSubjectStanding(tx: Executor, subjectId: string, options: { lock?: boolean } = {}): Promise<SubjectStanding | null> {
  const query = tx.select({ standing: subjects.standing }).from(subjects).where(eq(subjects.subjectId, subjectId));
  const [row] = await (options.lock ? query.for('share') : query);
  return row?.standing ?? null;
}

/** Registers recipients (idempotent), in the caller's transaction. */
export async function registerRecipients(tx: Pick<Database, 'insert'>, ids: readonly string[], kind: RecipientKind): Promise<void> {
  if (ids.length === 0) return;
  for (let i = 0; i < ids.length; i += CHUNK) {
    await tx
      .insert(recipients)
      .values(ids.slice(i, i + CHUNK).map((recipientId) => ({ recipientId, kind })))
      .onConflictDoNothing({ target: recipients.recipientId });
  }
}

/**
 * Whether `recipientId` is a registered recipient of `kind`. With `lock`, the registration is held (FOR KEY SHARE)
 * until the caller's transaction ends, so a consent never names a recipient removed in between.
 */
export async function isRegisteredRecipient(tx: Executor, recipientId: string, kind: RecipientKind, options: { lock?: boolean } = {}): Promise<boolean> {
  const query = tx.select({ kind: recipients.kind }).from(recipients).where(eq(recipients.recipientId, recipientId));
  const [row] = await (options.lock ? query.for('key share') : query);
  return row?.kind === kind;
}

/** SQL condition: the subject in `subjectColumn` is registered with `standing`. */
export function subjectHasStandingSql(subjectColumn: AnyPgColumn | SQL, standing: SubjectStanding): SQL {
  if (!isSubjectStanding(standing)) throw new RangeError(`Unknown subject standing ${JSON.stringify(standing)}.`);
  return sql`exists (select 1 from privacy.subjects standing_of where standing_of.subject_id = ${subjectColumn} and standing_of.standing = ${standing})`;
}

/** The registry row of one subject (for a data-subject export), or null. */
export async function readSubjectRecord(db: Pick<Database, 'select'>, subjectId: string): Promise<typeof subjects.$inferSelect | null> {
  const [row] = await db.select().from(subjects).where(eq(subjects.subjectId, subjectId));
  return row ?? null;
}
