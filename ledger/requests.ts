/**
 * The data-subject requests' store (APPI Arts. 33–35): the only code that reads or writes `privacy.dsr_requests`.
 * A request is filed in the transaction that carries it out (a correction, a restriction) or that starts it (an
 * export, an erasure, whose steps the gateway carries out across the subgraphs); it is due 14 days after it was
 * received (a person may sue two weeks after the request reached the business, Art. 39).
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { dsrRequests, restrictions, type DsrKind, type DsrStatus, type DsrStep } from '../db/schema/rights.ts';

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

/** Days from receipt to the deadline. */
export const DSR_DEADLINE_DAYS = 14;

export type DsrRequest = typeof dsrRequests.$inferSelect;
export type { DsrKind, DsrStatus, DsrStep };

/** The deadline of a request received at `received`. */
export function dsrDueAt(received: Date): Date {
  return new Date(received.getTime() + DSR_DEADLINE_DAYS * 24 * 60 * 60 * 1000);
}

export interface FileRequestInput {
  kind: DsrKind;
  subjectId: string;
  filedBy: string;
  filedByRole: string;
  verification?: string | null;
  /** The steps to carry out, by name (e.g. one per subgraph); none for a request completed as it is filed. */
  steps?: readonly string[];
  detail?: Record<string, unknown>;
  /** `COMPLETED` for a request carried out in the transaction that files it. */
  status?: Extract<DsrStatus, 'RECEIVED' | 'COMPLETED'>;
  at?: Date;
}

/** Files a request in the caller's transaction and returns its row. */
export async function fileRequest(tx: Executor, input: FileRequestInput): Promise<DsrRequest> {
  const at = input.at ?? new Date();
  const status = input.status ?? 'RECEIVED';
  const [row] = await tx
    .insert(dsrRequests)
    .values({
      id: randomUUID(),
      kind: input.kind,
      subjectId: input.subjectId,
      filedBy: input.filedBy,
      filedByRole: input.filedByRole,
      verification: input.verification ?? null,
      status,
      receivedAt: at,
      dueAt: dsrDueAt(at),
      completedAt: status === 'COMPLETED' ? at : null,
      steps: (input.steps ?? []).map((name): DsrStep => ({ name, status: 'PENDING', attempts: 0 })),
      detail: input.detail ?? {},
      updatedAt: at,
    })
    .returning();
  return row!;
}

/** One request by id, or null. */
export async function readRequest(db: Executor, id: string): Promise<DsrRequest | null> {
  const [row] = await db.select().from(dsrRequests).where(eq(dsrRequests.id, id));
  return row ?? null;
}

/** A subject's requests, newest first. */
export async function readSubjectRequests(db: Executor, subjectId: string): Promise<DsrRequest[]> {
  return db.select().from(dsrRequests).where(eq(dsrRequests.subjectId, subjectId)).orderBy(desc(dsrRequests.receivedAt), desc(dsrRequests.id));
}

/** Open requests (received or in progress), the earliest deadline first; with `overdueAt`, only those due before it. */
export async function readOpenRequests(db: Executor, options: { overdueAt?: Date; kind?: DsrKind; limit?: number } = {}): Promise<DsrRequest[]> {
  const conditions = [inArray(dsrRequests.status, ['RECEIVED', 'IN_PROGRESS'])];
  if (options.overdueAt) conditions.push(lt(dsrRequests.dueAt, options.overdueAt));
  if (options.kind) conditions.push(eq(dsrRequests.kind, options.kind));
  return db
    .select()
    .from(dsrRequests)
    .where(and(...conditions))
    .orderBy(asc(dsrRequests.dueAt), asc(dsrRequests.id))
    .limit(options.limit ?? 1000);
}

/** Requests not yet recorded in the access log, oldest first. */
export async function readUnloggedRequests(db: Executor, limit = 100): Promise<DsrRequest[]> {
  return db.select().from(dsrRequests).where(isNull(dsrRequests.loggedAt)).orderBy(asc(dsrRequests.receivedAt), asc(dsrRequests.id)).limit(limit);
}

/** Marks requests as recorded in the access log. */
export async function markRequestsLogged(db: Executor, ids: readonly string[], at = new Date()): Promise<void> {
  if (ids.length === 0) return;
  await db.update(dsrRequests).set({ loggedAt: at }).where(and(inArray(dsrRequests.id, [...ids]), isNull(dsrRequests.loggedAt)));
}

/** Sets a request's steps and status (in the caller's transaction); completion time when it becomes COMPLETED. */
export async function updateRequest(
  tx: Executor,
  id: string,
  change: { steps?: DsrStep[]; status?: DsrStatus; detail?: Record<string, unknown>; denialReason?: string; at?: Date },
): Promise<DsrRequest | null> {
  const at = change.at ?? new Date();
  const [row] = await tx
    .update(dsrRequests)
    .set({
      ...(change.steps ? { steps: change.steps } : {}),
      ...(change.status ? { status: change.status } : {}),
      ...(change.detail ? { detail: change.detail } : {}),
      ...(change.denialReason ? { denialReason: change.denialReason } : {}),
      ...(change.status === 'COMPLETED' || change.status === 'DENIED' ? { completedAt: at } : {}),
      // A request logged before it changed is logged again with its new status.
      loggedAt: null,
      updatedAt: at,
    })
    .where(eq(dsrRequests.id, id))
    .returning();
  return row ?? null;
}

/** Locks one request for its executor (FOR UPDATE SKIP LOCKED): null when another replica holds it. */
export async function claimRequest(tx: Executor, id: string): Promise<DsrRequest | null> {
  const result = await tx.execute(sql`select id from ${dsrRequests} where id = ${id}::uuid for update skip locked`);
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  if (rows.length === 0) return null;
  return readRequest(tx, id);
}

/** The subject's open request of `kind` (received or in progress), the oldest first, or null. */
export async function readOpenSubjectRequest(db: Executor, subjectId: string, kind: DsrKind): Promise<DsrRequest | null> {
  const [row] = await db
    .select()
    .from(dsrRequests)
    .where(and(eq(dsrRequests.subjectId, subjectId), eq(dsrRequests.kind, kind), inArray(dsrRequests.status, ['RECEIVED', 'IN_PROGRESS'])))
    .orderBy(asc(dsrRequests.receivedAt), asc(dsrRequests.id))
    .limit(1);
  return row ?? null;
}

/** Where a page of the queue starts: after this deadline and id. */
export interface RequestQueuePosition {
  dueAt: Date;
  id: string;
}

/**
 * The request queue as compliance reads it, the earliest deadline first: by status and kind, only the open ones due
 * before `overdueAt`, `limit` rows after `after`.
 */
export async function readRequestQueue(
  db: Executor,
  options: { status?: DsrStatus; kind?: DsrKind; overdueAt?: Date; after?: RequestQueuePosition | null; limit: number },
): Promise<DsrRequest[]> {
  const conditions = [];
  if (options.status) conditions.push(eq(dsrRequests.status, options.status));
  if (options.kind) conditions.push(eq(dsrRequests.kind, options.kind));
  if (options.overdueAt) conditions.push(inArray(dsrRequests.status, ['RECEIVED', 'IN_PROGRESS']), lt(dsrRequests.dueAt, options.overdueAt));
  if (options.after) {
    conditions.push(sql`(${dsrRequests.dueAt}, ${dsrRequests.id}) > (${options.after.dueAt.toISOString()}::timestamptz, ${options.after.id}::uuid)`);
  }
  return db
    .select()
    .from(dsrRequests)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(dsrRequests.dueAt), asc(dsrRequests.id))
    .limit(options.limit);
}

/** The replica carrying out a request's steps, and until when (see `leaseRequest`). */
export interface RequestLease {
  holder: string;
  until: string;
}

/** The standing lease of a request, or null when none is held or it has run out. */
export function requestLease(row: Pick<DsrRequest, 'detail'>, now: Date = new Date()): RequestLease | null {
  const lease = row.detail.lease as Partial<RequestLease> | undefined;
  if (!lease || typeof lease.holder !== 'string' || typeof lease.until !== 'string') return null;
  return new Date(lease.until).getTime() > now.getTime() ? { holder: lease.holder, until: lease.until } : null;
}

/**
 * Takes (or, with `null`, gives back) the lease on a request, in the caller's transaction after `claimRequest`: a
 * replica carries out a request's steps over HTTP outside any transaction (the subgraphs write the same database),
 * and the lease keeps other replicas off it meanwhile; a lease that runs out (a replica that died) frees the request.
 * Not a change of the request: it is not logged again.
 */
export async function leaseRequest(tx: Executor, id: string, lease: RequestLease | null): Promise<void> {
  const value = lease ? sql`jsonb_set(${dsrRequests.detail}, '{lease}', ${JSON.stringify(lease)}::jsonb)` : sql`${dsrRequests.detail} - 'lease'`;
  await tx.update(dsrRequests).set({ detail: value }).where(eq(dsrRequests.id, id));
}

/**
 * Completes a request that is still open, with its steps, in one statement: null when it was no longer open (another
 * delivery won), so a request is completed once.
 */
export async function completeOpenRequest(tx: Executor, id: string, steps: DsrStep[], at = new Date()): Promise<DsrRequest | null> {
  const [row] = await tx
    .update(dsrRequests)
    .set({ steps, status: 'COMPLETED', completedAt: at, loggedAt: null, updatedAt: at, detail: sql`${dsrRequests.detail} - 'lease'` })
    .where(and(eq(dsrRequests.id, id), inArray(dsrRequests.status, ['RECEIVED', 'IN_PROGRESS'])))
    .returning();
  return row ?? null;
}

/**
 * Marks requests as recorded in the access log, each only if it has not changed since it was read (`updatedAt`):
 * a change made while the log was being written is logged on the next pass.
 */
export async function markRequestVersionsLogged(db: Executor, versions: readonly Pick<DsrRequest, 'id' | 'updatedAt'>[], at = new Date()): Promise<void> {
  for (const version of versions) {
    await db
      .update(dsrRequests)
      .set({ loggedAt: at })
      .where(and(eq(dsrRequests.id, version.id), eq(dsrRequests.updatedAt, version.updatedAt), isNull(dsrRequests.loggedAt)));
  }
}

/** The purposes the subject has restricted (what a data-subject export discloses of the restrictions). */
export async function readSubjectRestrictions(db: Executor, subjectId: string): Promise<(typeof restrictions.$inferSelect)[]> {
  return db.select().from(restrictions).where(eq(restrictions.subjectId, subjectId)).orderBy(asc(restrictions.purpose));
}
