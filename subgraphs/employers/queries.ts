/**
 * SQL of the employers subgraph: batched loaders (one query per type per request wave) and the
 * paged, per-parent lists built with a window function so a page of parents costs one query.
 */
import { and, desc, eq, getTableColumns, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { applications, employers, jobs } from '../../db/schema/employers.ts';
import type { SubgraphContext } from '../common/context.ts';
import { connection, type CursorPosition } from '../common/pagination.ts';
import { afterTimestampCursor, idsIn, isUuid, preparedByIds, timestampKey, uuidIn } from '../common/sql.ts';
import { groupLoader, loaderFor, rowLoader } from '../common/batch-loader.ts';

export type EmployerRow = typeof employers.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type ApplicationRow = typeof applications.$inferSelect;
export type Connection<T> = ReturnType<typeof connection<T>>;

export const STAFF_ROLES: ReadonlySet<string> = new Set(['support', 'compliance']);

export function isStaff(ctx: SubgraphContext): boolean {
  return STAFF_ROLES.has(ctx.caller.role);
}

/** The employer id the caller acts for, when it is an employer with a well-formed org claim. */
export function callerEmployerId(ctx: SubgraphContext): string | null {
  return ctx.caller.role === 'employer' && isUuid(ctx.caller.org) ? ctx.caller.org.toLowerCase() : null;
}

export function emptyConnection<T>(): Connection<T> {
  return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
}

const employersById = preparedByIds('employers_employers_by_id', (db) => db.select().from(employers).where(idsIn(employers.id)));
const jobsById = preparedByIds('employers_jobs_by_id', (db) => db.select().from(jobs).where(idsIn(jobs.id)));

export function employerLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'employers.employer', (ids) => employersById(ctx.db, ids), (r) => r.id);
}

export function jobLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'employers.job', (ids) => jobsById(ctx.db, ids), (r) => r.id);
}

/**
 * Which applications the caller may see, as a SQL condition on `employers.applications`, or null for none:
 * a candidate its own, an employer those to its jobs, staff all.
 */
export function applicationVisibility(ctx: SubgraphContext): SQL | null {
  const { caller } = ctx;
  if (caller.role === 'candidate') return isUuid(caller.sub) ? eq(applications.candidateId, caller.sub) : null;
  const employerId = callerEmployerId(ctx);
  if (employerId) {
    return inArray(applications.jobId, ctx.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.employerId, employerId)));
  }
  if (isStaff(ctx)) return sql`true`;
  return null;
}

/** Applications by id under the caller's visibility (entity references). */
export function applicationLoader(ctx: SubgraphContext) {
  const visible = applicationVisibility(ctx);
  return rowLoader(
    ctx,
    'employers.application',
    async (ids) => (visible ? ctx.db.select().from(applications).where(and(uuidIn(applications.id, ids), visible)) : []),
    (r) => r.id,
  );
}

/** Applications per candidate under the caller's visibility, newest first. */
export function candidateApplicationsLoader(ctx: SubgraphContext) {
  const visible = applicationVisibility(ctx);
  return groupLoader(
    ctx,
    'employers.candidateApplications',
    async (ids) =>
      visible
        ? ctx.db
            .select()
            .from(applications)
            .where(and(uuidIn(applications.candidateId, ids), visible))
            .orderBy(desc(applications.createdAt), desc(applications.id))
        : [],
    (r) => r.candidateId,
  );
}

type Keyed<R> = R & { cursorKey: string; rn: number };

function toConnection<R extends { id: string; cursorKey: string }>(rows: readonly R[], limit: number): Connection<R> {
  return connection(rows, limit, (r): CursorPosition => ({ key: r.cursorKey, id: r.id }));
}

/**
 * A page of applications per job (newest first), for every job requested in this wave, in one query.
 * One loader per (first, after) pair: the same field with the same arguments across a list of jobs batches.
 */
export function jobApplicationsLoader(ctx: SubgraphContext, limit: number, after: CursorPosition | null, afterRaw: string | null) {
  return loaderFor<Connection<ApplicationRow>>(
    ctx,
    `employers.jobApplications:${limit}:${afterRaw ?? ''}`,
    async (keys) => {
      const ids = keys.filter(isUuid);
      const byJob = new Map<string, Keyed<ApplicationRow>[]>();
      if (ids.length > 0) {
        const ranked = ctx.db
          .select({
            ...getTableColumns(applications),
            cursorKey: timestampKey(applications.createdAt).as('cursor_key'),
            rn: sql<number>`row_number() over (partition by ${applications.jobId} order by ${applications.createdAt} desc, ${applications.id} desc)`
              .mapWith(Number)
              .as('rn'),
          })
          .from(applications)
          .where(and(uuidIn(applications.jobId, ids), afterTimestampCursor(applications.createdAt, applications.id, after)))
          .as('ranked');
        const rows = await ctx.db.select().from(ranked).where(lte(ranked.rn, limit + 1)).orderBy(ranked.jobId, ranked.rn);
        for (const row of rows) {
          const group = byJob.get(row.jobId) ?? [];
          group.push(row);
          byJob.set(row.jobId, group);
        }
      }
      return new Map([...byJob].map(([jobId, rows]) => [jobId, toConnection(rows, limit)]));
    },
    () => emptyConnection(),
  );
}

/**
 * A page of jobs per employer (newest first) in one query. `includeClosed(employerId)` says whether
 * the caller may see that employer's closed postings (the employer itself and staff).
 */
export function employerJobsLoader(
  ctx: SubgraphContext,
  limit: number,
  after: CursorPosition | null,
  afterRaw: string | null,
) {
  const ownEmployer = callerEmployerId(ctx);
  const staff = isStaff(ctx);
  return loaderFor<Connection<JobRow>>(
    ctx,
    `employers.employerJobs:${limit}:${afterRaw ?? ''}`,
    async (keys) => {
      const ids = keys.filter(isUuid);
      const byEmployer = new Map<string, Keyed<JobRow>[]>();
      if (ids.length > 0) {
        const statusRule = staff
          ? undefined
          : ownEmployer
            ? or(eq(jobs.status, 'OPEN'), eq(jobs.employerId, ownEmployer))
            : eq(jobs.status, 'OPEN');
        const ranked = ctx.db
          .select({
            ...getTableColumns(jobs),
            cursorKey: timestampKey(jobs.postedAt).as('cursor_key'),
            rn: sql<number>`row_number() over (partition by ${jobs.employerId} order by ${jobs.postedAt} desc, ${jobs.id} desc)`
              .mapWith(Number)
              .as('rn'),
          })
          .from(jobs)
          .where(and(uuidIn(jobs.employerId, ids), statusRule, afterTimestampCursor(jobs.postedAt, jobs.id, after)))
          .as('ranked');
        const rows = await ctx.db.select().from(ranked).where(lte(ranked.rn, limit + 1)).orderBy(ranked.employerId, ranked.rn);
        for (const row of rows) {
          const group = byEmployer.get(row.employerId) ?? [];
          group.push(row);
          byEmployer.set(row.employerId, group);
        }
      }
      return new Map([...byEmployer].map(([employerId, rows]) => [employerId, toConnection(rows, limit)]));
    },
    () => emptyConnection(),
  );
}
