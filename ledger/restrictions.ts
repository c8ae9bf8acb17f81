/**
 * Restrictions of use (APPI Art. 35 suspension of use): the only code that reads or writes `privacy.restrictions`.
 * While a row stands, the subject's values are withheld under that purpose as a withdrawn consent would be. The rule
 * has two forms, kept together: for consent purposes it is part of the consent rule (ledger/consent.ts: a restricted
 * purpose's consent records are not in force, in JavaScript and in SQL); for restrictable purposes that need no
 * consent (directives/purposes.ts: RESTRICTABLE_WITHOUT_CONSENT) it is a per-subject check of its own
 * (isRestricted / subjectRestrictsSql), asked by the gateway in one batched lookup per request.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { restrictions } from '../db/schema/rights.ts';
import { RESTRICTABLE_WITHOUT_CONSENT, type RestrictablePurpose } from '../directives/purposes.ts';

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'delete' | 'execute'>;

export type RestrictionRow = typeof restrictions.$inferSelect;

/** Whether `restricted` (a subject's restricted purposes) stops `purpose`. */
export function isRestricted(restricted: ReadonlySet<string> | readonly string[], purpose: string): boolean {
  return Array.isArray(restricted) ? restricted.includes(purpose) : (restricted as ReadonlySet<string>).has(purpose);
}

/**
 * SQL form of isRestricted: the subject in `subjectColumn` has restricted `purpose` (a purpose name from the policy
 * table or an SQL expression naming one). One probe of the table's primary key (subject, purpose).
 */
export function subjectRestrictsSql(subjectColumn: AnyPgColumn | SQL, purpose: string | AnyPgColumn | SQL): SQL {
  return sql`exists (select 1 from privacy.restrictions restricted_by where restricted_by.subject_id = ${subjectColumn} and restricted_by.purpose = ${purpose})`;
}

const RESTRICTION_ONLY: ReadonlySet<string> = new Set(RESTRICTABLE_WITHOUT_CONSENT);

/**
 * Row rule of a use that needs no consent, under `purpose`: the subject in `subjectColumn` has not restricted it, when
 * `purpose` is restrictable without consent (SUPPORT); null (no condition, no cost) for any other purpose. A consent
 * purpose's restriction is in hasConsentSql already.
 */
export function notRestrictedUnderSql(subjectColumn: AnyPgColumn | SQL, purpose: string): SQL | null {
  return RESTRICTION_ONLY.has(purpose) ? sql`not ${subjectRestrictsSql(subjectColumn, purpose)}` : null;
}

/**
 * Restricts `purposes` for the subject in the caller's transaction (the one that files the request); a purpose
 * already restricted keeps its row (idempotent). Returns the purposes newly restricted.
 */
export async function restrictPurposes(
  tx: Executor,
  input: { subjectId: string; purposes: readonly RestrictablePurpose[]; requestId: string; at?: Date },
): Promise<string[]> {
  if (input.purposes.length === 0) return [];
  const at = input.at ?? new Date();
  const rows = await tx
    .insert(restrictions)
    .values(input.purposes.map((purpose) => ({ subjectId: input.subjectId, purpose, requestId: input.requestId, restrictedAt: at })))
    .onConflictDoNothing()
    .returning({ purpose: restrictions.purpose });
  return rows.map((r) => r.purpose);
}

/** Lifts `purposes` for the subject in the caller's transaction (idempotent). Returns the purposes that were restricted. */
export async function liftRestrictions(tx: Executor, input: { subjectId: string; purposes: readonly string[] }): Promise<string[]> {
  if (input.purposes.length === 0) return [];
  const rows = await tx
    .delete(restrictions)
    .where(and(eq(restrictions.subjectId, input.subjectId), inArray(restrictions.purpose, [...input.purposes])))
    .returning({ purpose: restrictions.purpose });
  return rows.map((r) => r.purpose);
}

/** The subject's standing restrictions, oldest first. */
export async function readSubjectRestrictions(db: Executor, subjectId: string): Promise<RestrictionRow[]> {
  return db.select().from(restrictions).where(eq(restrictions.subjectId, subjectId)).orderBy(restrictions.restrictedAt, restrictions.purpose);
}

/** The standing restrictions of many subjects (for a loader), by subject then time. */
export async function readRestrictionsOfSubjects(db: Executor, subjectIds: readonly string[]): Promise<RestrictionRow[]> {
  if (subjectIds.length === 0) return [];
  return db
    .select()
    .from(restrictions)
    .where(inArray(restrictions.subjectId, [...subjectIds]))
    .orderBy(restrictions.subjectId, restrictions.restrictedAt, restrictions.purpose);
}

/** Of `subjectIds`, each one's restricted purposes among `purposes` (all purposes when omitted); subjects without any are absent. */
export async function readRestrictedPurposes(
  db: Executor,
  subjectIds: readonly string[],
  purposes?: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (subjectIds.length === 0 || purposes?.length === 0) return out;
  const conditions = [inArray(restrictions.subjectId, [...subjectIds])];
  if (purposes) conditions.push(inArray(restrictions.purpose, [...purposes]));
  const rows = await db
    .select({ subjectId: restrictions.subjectId, purpose: restrictions.purpose })
    .from(restrictions)
    .where(and(...conditions));
  for (const row of rows) {
    let set = out.get(row.subjectId);
    if (!set) out.set(row.subjectId, (set = new Set()));
    set.add(row.purpose);
  }
  return out;
}
