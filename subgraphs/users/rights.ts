/**
 * Data-subject requests through the graph (APPI Arts. 33, 35, 39): a candidate asks for an export of everything held
 * about them or leaves the service; support files either on a caller's behalf after verifying their identity;
 * compliance follows the queue to its deadlines. The requests are rows of `privacy.dsr_requests`, written through the
 * ledger's module (ledger/requests.ts); the gateway's data-subject-rights plugin carries out their steps across the
 * subgraphs (the export download, the erasure orchestrator) and records every request in the access log.
 */
import { eq } from 'drizzle-orm';
import { candidates } from '../../db/schema/users.ts';
import { DSR_KINDS, DSR_STATUSES } from '../../db/schema/rights.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import { ServiceError } from '../../directives/errors.ts';
import {
  fileRequest,
  readOpenSubjectRequest,
  readRequest,
  readRequestQueue,
  readSubjectRequests,
  type DsrKind,
  type DsrRequest,
  type DsrStatus,
  type DsrStep,
} from '../../ledger/requests.ts';
import { readSubjectStanding } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { badInput } from '../common/errors.ts';
import { connection, decodeCursor, pageSize } from '../common/pagination.ts';
import { isUuid, iso } from '../common/sql.ts';

/** The steps of an export: every subgraph's part of the document (the gateway assembles them in one download). */
export const EXPORT_STEPS = ['users', 'employers', 'marketing'] as const;
/**
 * The steps of an erasure, in the order they run: the subgraphs that refer to the candidate first, the candidate's
 * own record last, so a failed step never leaves records about a person whose account is already gone.
 */
export const ERASURE_STEPS = ['marketing', 'employers', 'users'] as const;

/** The kinds staff may file on a caller's behalf (the others are carried out by the candidate's own mutations). */
const STAFF_KINDS: readonly DsrKind[] = ['EXPORT', 'ERASURE'];
/** An identity-verification reference: a ticket or document number, never the document's content. */
const VERIFICATION_REFERENCE = /^[\p{L}\p{N} .,_:/#()\-]{3,200}$/u;

/**
 * The identity-verification reference staff give when they file a request on a candidate's behalf (every kind of
 * request), trimmed; BAD_USER_INPUT naming `verification` (never quoting it) otherwise.
 */
export function verificationReference(value: unknown): string {
  const reference = typeof value === 'string' ? value.trim() : '';
  if (!VERIFICATION_REFERENCE.test(reference)) {
    throw badInput('"verification" must be the identity-verification reference (3-200 letters, digits, spaces or .,_:/#()-).', { argument: 'verification' });
  }
  return reference;
}

function isOwnService(caller: BoundCaller): boolean {
  return caller.role === 'candidate' && caller.purpose === 'SERVICE_PROVISION' && isUuid(caller.sub);
}

function requireCandidate(ctx: SubgraphContext): string {
  if (!isOwnService(ctx.caller)) throw new ServiceError('FORBIDDEN', 'Only the candidate, under SERVICE_PROVISION, makes a request about their own data.');
  return ctx.caller.sub.toLowerCase();
}

function isQueueReader(caller: BoundCaller): boolean {
  return caller.role === 'compliance' && caller.purpose === 'INTERNAL_AUDIT';
}

function requireQueueReader(ctx: SubgraphContext): void {
  if (!isQueueReader(ctx.caller)) throw new ServiceError('FORBIDDEN', 'Only compliance staff under INTERNAL_AUDIT read the request queue.');
}

/**
 * Files a request of `kind` about the subject, or returns the open one (idempotent: asking twice while one is open
 * does not file a second). The candidate row is locked, so two concurrent asks file one request.
 */
async function fileOnce(
  ctx: SubgraphContext,
  input: { kind: DsrKind; subjectId: string; verification: string | null },
): Promise<DsrRequest> {
  return ctx.db.transaction(async (tx) => {
    const [candidate] = await tx.select({ id: candidates.id }).from(candidates).where(eq(candidates.id, input.subjectId)).for('update');
    if (!candidate) {
      // Indistinguishable for staff: no candidate with that id (a candidate's own id always names a row).
      throw new ServiceError('NOT_FOUND', 'No candidate with that id.', { argument: 'subjectId' });
    }
    const open = await readOpenSubjectRequest(tx, input.subjectId, input.kind);
    if (open) return open;
    const standing = await readSubjectStanding(tx, input.subjectId);
    if (standing === 'WITHDRAWN') {
      throw new ServiceError('FORBIDDEN', 'This account has left the service: its data was erased, and no new request can be made about it.');
    }
    return fileRequest(tx, {
      kind: input.kind,
      subjectId: input.subjectId,
      filedBy: ctx.caller.sub,
      filedByRole: ctx.caller.role,
      verification: input.verification,
      steps: input.kind === 'EXPORT' ? EXPORT_STEPS : ERASURE_STEPS,
    });
  });
}

function enumArgument<T extends string>(value: unknown, allowed: readonly T[], argument: string): T | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw badInput(`"${argument}" must be one of ${allowed.join(', ')}.`, { argument });
  return value as T;
}

function queueCursor(after: unknown) {
  const cursor = decodeCursor(after as string | null | undefined);
  if (!cursor) return null;
  const dueAt = new Date(cursor.key);
  if (Number.isNaN(dueAt.getTime()) || !isUuid(cursor.id)) throw badInput('"after" is not a valid cursor.', { argument: 'after' });
  return { dueAt, id: cursor.id };
}

/** Whether a request is still open past its deadline. */
export function isOverdue(row: Pick<DsrRequest, 'status' | 'dueAt'>, now: Date = new Date()): boolean {
  return (row.status === 'RECEIVED' || row.status === 'IN_PROGRESS') && row.dueAt.getTime() < now.getTime();
}

interface Retention {
  collection: string;
  rows: number;
  reason: string;
}

/** What the steps' answers say was kept (each subgraph's erasure answer, in step order). */
function keptOf(steps: readonly DsrStep[]): Retention[] {
  const kept: Retention[] = [];
  for (const step of steps) {
    const list = step.detail?.kept;
    if (!Array.isArray(list)) continue;
    for (const entry of list as Partial<Retention>[]) {
      if (typeof entry.collection === 'string' && typeof entry.rows === 'number' && typeof entry.reason === 'string') {
        kept.push({ collection: entry.collection, rows: entry.rows, reason: entry.reason });
      }
    }
  }
  return kept;
}

/** The names a request's detail lists (purposes of a restriction, coordinates of a correction, …). */
function itemsOf(detail: Record<string, unknown>): string[] {
  const items: string[] = [];
  for (const key of ['items', 'purposes', 'coordinates']) {
    const list = detail[key];
    if (Array.isArray(list)) for (const item of list) if (typeof item === 'string' && !items.includes(item)) items.push(item);
  }
  return items;
}

export const rightsResolvers = {
  Query: {
    myDataSubjectRequests: (_parent: unknown, _args: unknown, ctx: SubgraphContext) => readSubjectRequests(ctx.db, requireCandidate(ctx)),
    dataSubjectRequest: async (_parent: unknown, args: { id: unknown }, ctx: SubgraphContext) => {
      const own = isOwnService(ctx.caller);
      if (!own) requireQueueReader(ctx);
      if (!isUuid(args.id)) throw badInput('"id" must be a request id (a UUID).', { argument: 'id' });
      const row = await readRequest(ctx.db, args.id.toLowerCase());
      // A candidate sees their own requests only; someone else's reads as missing.
      if (!row || (own && row.subjectId !== ctx.caller.sub.toLowerCase())) return null;
      return row;
    },
    dataSubjectRequests: async (
      _parent: unknown,
      args: { status?: unknown; kind?: unknown; overdue?: boolean | null; first?: number | null; after?: string | null },
      ctx: SubgraphContext,
    ) => {
      requireQueueReader(ctx);
      const status = enumArgument<DsrStatus>(args.status, DSR_STATUSES, 'status');
      const kind = enumArgument<DsrKind>(args.kind, DSR_KINDS, 'kind');
      const limit = pageSize(args.first);
      const rows = await readRequestQueue(ctx.db, {
        status,
        kind,
        overdueAt: args.overdue ? new Date() : undefined,
        after: queueCursor(args.after),
        limit: limit + 1,
      });
      return connection(rows, limit, (row) => ({ key: row.dueAt.toISOString(), id: row.id }));
    },
  },
  Mutation: {
    requestMyDataExport: (_parent: unknown, _args: unknown, ctx: SubgraphContext) =>
      fileOnce(ctx, { kind: 'EXPORT', subjectId: requireCandidate(ctx), verification: null }),
    deleteMyAccount: (_parent: unknown, _args: unknown, ctx: SubgraphContext) =>
      fileOnce(ctx, { kind: 'ERASURE', subjectId: requireCandidate(ctx), verification: null }),
    fileDataSubjectRequest: (_parent: unknown, args: { subjectId: unknown; kind: unknown; verification: unknown }, ctx: SubgraphContext) => {
      const { caller } = ctx;
      if ((caller.role !== 'support' && caller.role !== 'compliance') || caller.purpose !== 'IDENTITY_VERIFICATION') {
        throw new ServiceError('FORBIDDEN', 'Only support or compliance staff, under IDENTITY_VERIFICATION, file a request on a caller\'s behalf.');
      }
      if (!isUuid(args.subjectId)) throw badInput('"subjectId" must be a candidate id (a UUID).', { argument: 'subjectId' });
      const kind = enumArgument<DsrKind>(args.kind, DSR_KINDS, 'kind');
      if (!kind || !STAFF_KINDS.includes(kind)) throw badInput(`"kind" must be one of ${STAFF_KINDS.join(', ')} when staff file a request.`, { argument: 'kind' });
      const verification = verificationReference(args.verification);
      return fileOnce(ctx, { kind, subjectId: args.subjectId.toLowerCase(), verification });
    },
  },
  DataSubjectRequest: {
    receivedAt: (row: DsrRequest) => iso(row.receivedAt),
    dueAt: (row: DsrRequest) => iso(row.dueAt),
    completedAt: (row: DsrRequest) => iso(row.completedAt),
    overdue: (row: DsrRequest) => isOverdue(row),
    filedBy: (row: DsrRequest) => (row.filedByRole === 'candidate' ? 'SUBJECT' : row.filedByRole),
    steps: (row: DsrRequest) => row.steps,
    kept: (row: DsrRequest) => keptOf(row.steps),
    items: (row: DsrRequest) => itemsOf(row.detail),
  },
};
