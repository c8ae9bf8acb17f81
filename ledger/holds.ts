/**
 * Legal holds: the only code that reads or writes `privacy.legal_holds`. While a hold stands (set by compliance with
 * a reference, e.g. a court case), retention deletes nothing of the subject's.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { legalHolds } from '../db/schema/rights.ts';

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

export type LegalHold = typeof legalHolds.$inferSelect;

/** The subject's standing hold, or null. */
export async function readStandingHold(db: Executor, subjectId: string): Promise<LegalHold | null> {
  const [row] = await db.select().from(legalHolds).where(and(eq(legalHolds.subjectId, subjectId), isNull(legalHolds.releasedAt)));
  return row ?? null;
}

/** Of `subjectIds`, those under a standing hold. */
export async function subjectsUnderHold(db: Executor, subjectIds: readonly string[]): Promise<Set<string>> {
  if (subjectIds.length === 0) return new Set();
  const rows = await db
    .select({ subjectId: legalHolds.subjectId })
    .from(legalHolds)
    .where(and(inArray(legalHolds.subjectId, [...subjectIds]), isNull(legalHolds.releasedAt)));
  return new Set(rows.map((r) => r.subjectId));
}

/** Sets a hold (idempotent: a standing hold is returned unchanged). */
export async function setLegalHold(tx: Executor, input: { subjectId: string; reference: string; setBy: string; at?: Date }): Promise<LegalHold> {
  const standing = await readStandingHold(tx, input.subjectId);
  if (standing) return standing;
  const [row] = await tx
    .insert(legalHolds)
    .values({ subjectId: input.subjectId, reference: input.reference, setBy: input.setBy, setAt: input.at ?? new Date() })
    .returning();
  return row!;
}

/** Releases the standing hold; null when there was none. */
export async function releaseLegalHold(tx: Executor, input: { subjectId: string; releasedBy: string; at?: Date }): Promise<LegalHold | null> {
  const [row] = await tx
    .update(legalHolds)
    .set({ releasedBy: input.releasedBy, releasedAt: input.at ?? new Date() })
    .where(and(eq(legalHolds.subjectId, input.subjectId), isNull(legalHolds.releasedAt)))
    .returning();
  return row ?? null;
}

/** Every standing hold, oldest first (for compliance). */
export async function readStandingHolds(db: Pick<Database, 'select'>): Promise<LegalHold[]> {
  return db.select().from(legalHolds).where(isNull(legalHolds.releasedAt)).orderBy(asc(legalHolds.setAt), asc(legalHolds.id));
}

/** SQL condition: the subject in `subjectColumn` is under no standing hold (every retention rule is gated on it). */
export function notUnderHoldSql(subjectColumn: AnyPgColumn | SQL): SQL {
  return sql`not exists (select 1 from privacy.legal_holds held where held.subject_id = ${subjectColumn} and held.released_at is null)`;
}
