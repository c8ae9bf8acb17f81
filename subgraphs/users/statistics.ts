/**
 * Candidate statistics: the users subgraph groups and counts its own rows in PostgreSQL (no row leaves the
 * database), over active candidates only — a candidate who has left (WITHDRAWN) or whose use is suspended
 * (SUSPENDED) is not counted, since statistics are a use of their data. Multi-valued dimensions count at most
 * CONTRIBUTION_BOUNDS values per candidate, in the candidate's own order, so one candidate reaches at most that
 * many cells (the sensitivity). Noise, budget and storage: ledger/budget.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Database } from '../../db/client.ts';
import {
  CANDIDATE_DIMENSIONS,
  INDUSTRY_DOMAIN,
  SKILL_DOMAIN,
  domainOf,
  type CandidateDimension,
} from '../../directives/statistics/domains.ts';
import { normalizeBudget } from '../../directives/statistics/accountant.ts';
import { readBudgetStanding, releaseStatistics } from '../../ledger/budget.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { rowsOf } from '../common/data-subject.ts';
import { checkFilterValue, knownDomainCells, mayReceiveStatistics, statisticsTable } from '../common/statistics.ts';
import { ServiceError } from '../../directives/errors.ts';

export interface CandidateStatisticsFilter {
  prefecture?: string | null;
  ageBand?: string | null;
  industry?: string | null;
  skill?: string | null;
  nationalityGroup?: string | null;
  registrationMonth?: string | null;
}

const FILTER_DIMENSIONS: Record<keyof CandidateStatisticsFilter, CandidateDimension> = {
  prefecture: 'PREFECTURE',
  ageBand: 'AGE_BAND',
  industry: 'INDUSTRY',
  skill: 'SKILL',
  nationalityGroup: 'NATIONALITY_GROUP',
  registrationMonth: 'REGISTRATION_MONTH',
};

/** One row per active candidate with its single-valued dimensions and its multi-valued ones as arrays; ages at `at`. */
function candidateBase(at: Date): SQL {
  return sql`
    select c.id,
      coalesce(a.prefecture, 'UNKNOWN') as prefecture,
      case
        when c.birth_date is null then 'UNKNOWN'
        when extract(year from age(${at.toISOString().slice(0, 10)}::date, c.birth_date)) < 20 then 'UNDER_20'
        when extract(year from age(${at.toISOString().slice(0, 10)}::date, c.birth_date)) >= 60 then '60+'
        else (floor(extract(year from age(${at.toISOString().slice(0, 10)}::date, c.birth_date)) / 10) * 10)::int::text
          || '-' || ((floor(extract(year from age(${at.toISOString().slice(0, 10)}::date, c.birth_date)) / 10) * 10)::int + 9)::text
      end as age_band,
      case when rc.candidate_id is null then 'JAPANESE' else 'FOREIGN' end as nationality_group,
      to_char(c.created_at at time zone 'UTC', 'YYYY-MM') as registration_month,
      c.desired_industries as industries,
      coalesce(r.skills, '{}'::text[]) as skills
    from users.candidates c
    left join users.addresses a on a.candidate_id = c.id
    left join users.residence_cards rc on rc.candidate_id = c.id
    left join users.resumes r on r.candidate_id = c.id
    where ${subjectHasStandingSql(sql`c.id`, 'ACTIVE')}`;
}

const SINGLE_COLUMNS: Partial<Record<CandidateDimension, string>> = {
  PREFECTURE: 'prefecture',
  AGE_BAND: 'age_band',
  NATIONALITY_GROUP: 'nationality_group',
  REGISTRATION_MONTH: 'registration_month',
};

/** The counted values of a multi-valued dimension: in the vocabulary, the first `bound` in the candidate's order. */
const MULTI: Partial<Record<CandidateDimension, { column: string; vocabulary: readonly string[] }>> = {
  INDUSTRY: { column: 'industries', vocabulary: INDUSTRY_DOMAIN },
  SKILL: { column: 'skills', vocabulary: SKILL_DOMAIN },
};

function filterSql(filter: CandidateStatisticsFilter): SQL {
  const conditions: SQL[] = [sql`true`];
  for (const [name, dimension] of Object.entries(FILTER_DIMENSIONS) as [keyof CandidateStatisticsFilter, CandidateDimension][]) {
    const value = filter[name];
    if (value === undefined || value === null) continue;
    const single = SINGLE_COLUMNS[dimension];
    if (single) conditions.push(sql`b.${sql.identifier(single)} = ${value}`);
    else conditions.push(sql`${value} = any(b.${sql.identifier(MULTI[dimension]!.column)})`);
  }
  return sql.join(conditions, sql` and `);
}

/**
 * The true count of every group of `groupBy` among the active candidates matching `filter`, computed by one
 * GROUP BY in PostgreSQL. Exported for tests, which compare it with the rows.
 */
export async function countCandidates(
  db: Pick<Database, 'execute'>,
  groupBy: CandidateDimension,
  filter: CandidateStatisticsFilter,
  at: Date,
): Promise<Map<string, number>> {
  const single = SINGLE_COLUMNS[groupBy];
  const where = filterSql(filter);
  let query: SQL;
  if (single) {
    query = sql`select b.${sql.identifier(single)} as g, count(*)::int as n from (${candidateBase(at)}) b where ${where} group by 1`;
  } else {
    const { column, vocabulary } = MULTI[groupBy]!;
    const bound = CANDIDATE_DIMENSIONS[groupBy].contribution;
    query = sql`
      select v.g, count(*)::int as n from (
        select u.g, row_number() over (partition by b.id order by u.ord) as rank
        from (${candidateBase(at)}) b
        cross join lateral unnest(b.${sql.identifier(column)}) with ordinality as u(g, ord)
        where ${where} and u.g = any(${`{${vocabulary.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[])
      ) v where v.rank <= ${bound} group by 1`;
  }
  const rows = rowsOf<{ g: string; n: number }>(await db.execute(query));
  return new Map(rows.map((r) => [r.g, Number(r.n)]));
}

function checkFilter(filter: CandidateStatisticsFilter, now: Date) {
  for (const [name, dimension] of Object.entries(FILTER_DIMENSIONS) as [keyof CandidateStatisticsFilter, CandidateDimension][]) {
    checkFilterValue(name, filter[name], domainOf(CANDIDATE_DIMENSIONS[dimension], now));
  }
}

export const candidateStatisticsResolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    candidateStatistics: async (_parent, args: { groupBy: CandidateDimension; filter?: CandidateStatisticsFilter | null }, ctx: SubgraphContext) => {
      if (!mayReceiveStatistics(ctx.caller)) return null;
      const dimension = CANDIDATE_DIMENSIONS[args.groupBy];
      if (!dimension) throw new ServiceError('BAD_USER_INPUT', 'groupBy is not a candidate dimension.');
      const now = new Date();
      const filter = args.filter ?? {};
      checkFilter(filter, now);
      const sensitivity = dimension.contribution;
      const result = await releaseStatistics(ctx.db, {
        analyst: ctx.caller.sub,
        query: { table: 'candidates', groupBy: args.groupBy, filter: { ...filter } },
        sensitivity,
        budget: ctx.statisticsBudget ?? normalizeBudget(),
        now,
        count: async (tx) => {
          const counts = await countCandidates(tx, args.groupBy, filter, now);
          return knownDomainCells([domainOf(dimension, now)], counts);
        },
      });
      return statisticsTable([args.groupBy], sensitivity, result, ctx);
    },
    privacyBudget: async (_parent, _args, ctx: SubgraphContext) => {
      if (!mayReceiveStatistics(ctx.caller)) return null;
      const standing = await readBudgetStanding(ctx.db, ctx.caller.sub, ctx.statisticsBudget ?? normalizeBudget());
      return { ...standing, resetsAt: standing.resetsAt?.toISOString() ?? null };
    },
  },
};

