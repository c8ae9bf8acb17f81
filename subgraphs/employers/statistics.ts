/**
 * The application funnel for analysts: applications counted by status × job category, prefecture (the job's) or
 * month (the application's), by one GROUP BY in PostgreSQL over this subgraph's own rows. Only applications of
 * active candidates count, and at most CONTRIBUTION_BOUNDS.applicationsPerCandidate of each candidate's (newest
 * first, after the filter), so one candidate reaches at most that many cells (the sensitivity). And open job postings
 * by category × prefecture, each posting in one cell.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Database } from '../../db/client.ts';
import { normalizeBudget } from '../../directives/statistics/accountant.ts';
import {
  APPLICATION_STATUS_DOMAIN,
  CONTRIBUTION_BOUNDS,
  FUNNEL_DIMENSIONS,
  JOB_CATEGORY_DOMAIN,
  PREFECTURE_DOMAIN,
  domainOf,
  type FunnelDimension,
} from '../../directives/statistics/domains.ts';
import { ServiceError } from '../../directives/errors.ts';
import { releaseStatistics } from '../../ledger/budget.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { rowsOf } from '../common/data-subject.ts';
import { checkFilterValue, knownDomainCells, mayReceiveStatistics, statisticsTable } from '../common/statistics.ts';

export interface ApplicationFunnelFilter {
  jobCategory?: string | null;
  prefecture?: string | null;
  month?: string | null;
}

const COLUMNS: Record<FunnelDimension, string> = { JOB_CATEGORY: 'job_category', PREFECTURE: 'prefecture', MONTH: 'month' };
const FILTERS: Record<keyof ApplicationFunnelFilter, FunnelDimension> = { jobCategory: 'JOB_CATEGORY', prefecture: 'PREFECTURE', month: 'MONTH' };

/** True counts per (status, group), keyed by the two values joined with NUL. Exported for tests. */
export async function countApplications(db: Pick<Database, 'execute'>, groupBy: FunnelDimension, filter: ApplicationFunnelFilter): Promise<Map<string, number>> {
  const conditions: SQL[] = [subjectHasStandingSql(sql`a.candidate_id`, 'ACTIVE')];
  for (const [name, dimension] of Object.entries(FILTERS) as [keyof ApplicationFunnelFilter, FunnelDimension][]) {
    const value = filter[name];
    if (value === undefined || value === null) continue;
    if (dimension === 'JOB_CATEGORY') conditions.push(sql`j.category = ${value}`);
    else if (dimension === 'PREFECTURE') conditions.push(sql`j.prefecture = ${value}`);
    else conditions.push(sql`to_char(a.created_at at time zone 'UTC', 'YYYY-MM') = ${value}`);
  }
  const query = sql`
    select b.status::text as status, b.${sql.identifier(COLUMNS[groupBy])} as g, count(*)::int as n from (
      select a.status, j.category as job_category, j.prefecture, to_char(a.created_at at time zone 'UTC', 'YYYY-MM') as month,
        row_number() over (partition by a.candidate_id order by a.created_at desc, a.id) as rank
      from employers.applications a
      join employers.jobs j on j.id = a.job_id
      where ${sql.join(conditions, sql` and `)}
    ) b where b.rank <= ${CONTRIBUTION_BOUNDS.applicationsPerCandidate} group by 1, 2`;
  const rows = rowsOf<{ status: string; g: string; n: number }>(await db.execute(query));
  return new Map(rows.map((r) => [`${r.status}\u0000${r.g}`, Number(r.n)]));
}

export interface JobPostingFilter {
  jobCategory?: string | null;
  prefecture?: string | null;
}

/** True counts of open postings per (category, prefecture), keyed by the two values joined with NUL. Exported for tests. */
export async function countJobPostings(db: Pick<Database, 'execute'>, filter: JobPostingFilter): Promise<Map<string, number>> {
  const conditions: SQL[] = [sql`j.status = 'OPEN'`];
  if (filter.jobCategory != null) conditions.push(sql`j.category = ${filter.jobCategory}`);
  if (filter.prefecture != null) conditions.push(sql`j.prefecture = ${filter.prefecture}`);
  const query = sql`select j.category as c, j.prefecture as p, count(*)::int as n from employers.jobs j where ${sql.join(conditions, sql` and `)} group by 1, 2`;
  const rows = rowsOf<{ c: string; p: string; n: number }>(await db.execute(query));
  return new Map(rows.map((r) => [`${r.c}\u0000${r.p}`, Number(r.n)]));
}

export const funnelStatisticsResolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    applicationFunnel: async (_parent, args: { groupBy: FunnelDimension; filter?: ApplicationFunnelFilter | null }, ctx: SubgraphContext) => {
      if (!mayReceiveStatistics(ctx.caller)) return null;
      const dimension = FUNNEL_DIMENSIONS[args.groupBy];
      if (!dimension) throw new ServiceError('BAD_USER_INPUT', 'groupBy is not a funnel dimension.');
      const now = new Date();
      const filter = args.filter ?? {};
      for (const [name, d] of Object.entries(FILTERS) as [keyof ApplicationFunnelFilter, FunnelDimension][]) {
        checkFilterValue(name, filter[name], domainOf(FUNNEL_DIMENSIONS[d], now));
      }
      const sensitivity = CONTRIBUTION_BOUNDS.applicationsPerCandidate;
      const result = await releaseStatistics(ctx.db, {
        analyst: ctx.caller.sub,
        query: { table: 'applications', groupBy: args.groupBy, filter: { ...filter } },
        sensitivity,
        budget: ctx.statisticsBudget ?? normalizeBudget(),
        now,
        count: async (tx) => knownDomainCells([APPLICATION_STATUS_DOMAIN, domainOf(dimension, now)], await countApplications(tx, args.groupBy, filter)),
      });
      return statisticsTable(['STATUS', args.groupBy], sensitivity, result, ctx);
    },
    jobPostingStatistics: async (_parent, args: { filter?: JobPostingFilter | null }, ctx: SubgraphContext) => {
      if (!mayReceiveStatistics(ctx.caller)) return null;
      const now = new Date();
      const filter = args.filter ?? {};
      checkFilterValue('jobCategory', filter.jobCategory, JOB_CATEGORY_DOMAIN);
      checkFilterValue('prefecture', filter.prefecture, PREFECTURE_DOMAIN);
      const sensitivity = CONTRIBUTION_BOUNDS.cellsPerPosting;
      const result = await releaseStatistics(ctx.db, {
        analyst: ctx.caller.sub,
        query: { table: 'job_postings', groupBy: 'JOB_CATEGORY,PREFECTURE', filter: { ...filter } },
        sensitivity,
        budget: ctx.statisticsBudget ?? normalizeBudget(),
        now,
        count: async (tx) => knownDomainCells([JOB_CATEGORY_DOMAIN, PREFECTURE_DOMAIN], await countJobPostings(tx, filter)),
      });
      return statisticsTable(['JOB_CATEGORY', 'PREFECTURE'], sensitivity, result, ctx);
    },
  },
};
