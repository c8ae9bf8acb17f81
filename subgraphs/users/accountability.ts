/**
 * The users subgraph's view of accountability records (APPI Art. 29, 33(5)), read through the audit module:
 * `Candidate.provisionRecords` (the candidate's own, provisions to employers), and, for compliance staff under
 * INTERNAL_AUDIT, `Query.accessLog` and `Query.provisionRecords`. The gateway decides the fields; these resolvers
 * refuse every other caller as well (defence in depth).
 */
import { accessLogPosition, provisionRecordPosition, readAccessLog, readProvisionRecords, type AccessLogRow, type ProvisionRecordRow, type ReadCursor } from '../../audit/read.ts';
import { ServiceError } from '../../directives/errors.ts';
import type { SubgraphContext } from '../common/context.ts';
import { connection, decodeCursor, pageSize } from '../common/pagination.ts';
import { isUuid, iso } from '../common/sql.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function badInput(argument: string, message: string): ServiceError {
  return new ServiceError('BAD_USER_INPUT', message, { argument });
}

function isAuditor(ctx: SubgraphContext): boolean {
  return ctx.caller.role === 'compliance' && ctx.caller.purpose === 'INTERNAL_AUDIT';
}

function requireAuditor(ctx: SubgraphContext): void {
  if (!isAuditor(ctx)) throw new ServiceError('FORBIDDEN', 'Only compliance staff under INTERNAL_AUDIT read the accountability records.');
}

function provisionCursor(after: string | null | undefined): ReadCursor | null {
  const cursor = decodeCursor(after);
  if (cursor && (!DAY.test(cursor.key) || !/^\d{1,18}$/.test(cursor.id))) throw badInput('after', '"after" is not a valid cursor.');
  return cursor;
}

function optionalId(value: unknown, argument: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isUuid(value)) throw badInput(argument, `"${argument}" must be an id.`);
  return value.toLowerCase();
}

function optionalDay(value: unknown, argument: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw badInput(argument, `"${argument}" must be an ISO 8601 day (YYYY-MM-DD).`);
  return value;
}

function optionalTime(value: unknown, argument: string): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const at = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw badInput(argument, `"${argument}" must be an ISO 8601 date-time.`);
  return at;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

async function provisionPage(ctx: SubgraphContext, filter: Parameters<typeof readProvisionRecords>[1], args: PageArgs) {
  const limit = pageSize(args.first);
  const rows = await readProvisionRecords(ctx.db, filter, limit, provisionCursor(args.after));
  return connection(rows, limit, provisionRecordPosition);
}

export const accountabilityResolvers = {
  Query: {
    accessLog: async (
      _parent: unknown,
      args: PageArgs & { filter?: { subject?: string; caller?: string; purpose?: string; from?: string; to?: string } | null },
      ctx: SubgraphContext,
    ) => {
      requireAuditor(ctx);
      const limit = pageSize(args.first);
      const cursor = decodeCursor(args.after);
      if (cursor) {
        const [chain, seq] = cursor.id.split('/');
        if (!isUuid(chain) || !/^\d{1,18}$/.test(seq ?? '') || Number.isNaN(new Date(cursor.key).getTime())) throw badInput('after', '"after" is not a valid cursor.');
      }
      const f = args.filter ?? {};
      const rows = await readAccessLog(
        ctx.db,
        {
          subjectId: optionalId(f.subject, 'filter.subject'),
          callerSub: f.caller ?? undefined,
          purpose: f.purpose ?? undefined,
          from: optionalTime(f.from, 'filter.from'),
          to: optionalTime(f.to, 'filter.to'),
        },
        limit,
        cursor,
      );
      return connection(rows, limit, accessLogPosition);
    },
    provisionRecords: (_parent: unknown, args: PageArgs & { filter?: { subject?: string; recipient?: string; from?: string; to?: string } | null }, ctx: SubgraphContext) => {
      requireAuditor(ctx);
      const f = args.filter ?? {};
      return provisionPage(
        ctx,
        {
          subjectId: optionalId(f.subject, 'filter.subject'),
          recipientId: optionalId(f.recipient, 'filter.recipient'),
          fromDay: optionalDay(f.from, 'filter.from'),
          toDay: optionalDay(f.to, 'filter.to'),
        },
        args,
      );
    },
  },
  Candidate: {
    // The candidate sees the provisions to employers; records of provisions under a legal basis are for compliance.
    provisionRecords: (parent: { id: string }, args: PageArgs, ctx: SubgraphContext) => {
      if (isAuditor(ctx)) return provisionPage(ctx, { subjectId: parent.id }, args);
      const own = ctx.caller.role === 'candidate' && ctx.caller.purpose === 'SERVICE_PROVISION' && isUuid(ctx.caller.sub) && ctx.caller.sub.toLowerCase() === parent.id;
      return own ? provisionPage(ctx, { subjectId: parent.id, recipientKinds: ['EMPLOYER'] }, args) : null;
    },
  },
  ProvisionRecord: {
    date: (row: ProvisionRecordRow) => row.providedOn,
    recipient: (row: ProvisionRecordRow) => (row.recipientId ? { __typename: 'Employer', id: row.recipientId } : null),
    basis: (row: ProvisionRecordRow) => row.basisKind,
    count: (row: ProvisionRecordRow) => row.provisionCount,
    lastProvidedAt: (row: ProvisionRecordRow) => iso(row.lastProvidedAt),
    subject: (row: ProvisionRecordRow) => row.subjectId,
  },
  AccessLogEntry: {
    occurredAt: (row: AccessLogRow) => iso(row.occurredAt),
    caller: (row: AccessLogRow) => row.callerSub,
    masked: (row: AccessLogRow) => row.masked.map((m) => `${m.coordinate}: ${m.strategy}`),
    withheld: (row: AccessLogRow) => Object.entries(row.withheld).flatMap(([coordinate, reasons]) => reasons.map((r) => `${coordinate}: ${r}`)),
    chain: (row: AccessLogRow) => row.chainId,
  },
};
