/**
 * Campaign reach and response for analysts: deliveries counted by outcome (SENT; OPENED, the response) × channel or
 * month sent, by one GROUP BY in PostgreSQL over this subgraph's own rows. Only deliveries to active candidates
 * count, at most CONTRIBUTION_BOUNDS.deliveriesPerCandidate of each candidate's (newest first), each in SENT and,
 * if opened, in OPENED: one candidate reaches at most twice that many cells (the sensitivity).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Database } from '../../db/client.ts';
import { normalizeBudget } from '../../directives/statistics/accountant.ts';
import {
  CAMPAIGN_DIMENSIONS,
  CAMPAIGN_OUTCOME_DOMAIN,
  CONTRIBUTION_BOUNDS,
  domainOf,
  type CampaignDimension,
} from '../../directives/statistics/domains.ts';
import { ServiceError } from '../../directives/errors.ts';
import { releaseStatistics } from '../../ledger/budget.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { rowsOf } from '../common/data-subject.ts';
import { checkFilterValue, knownDomainCells, mayReceiveStatistics, statisticsTable } from '../common/statistics.ts';

export interface CampaignReachFilter {
  channel?: string | null;
  month?: string | null;
}

/** The most cells one candidate reaches in a reach table. */
export const CAMPAIGN_REACH_SENSITIVITY = CONTRIBUTION_BOUNDS.deliveriesPerCandidate * CAMPAIGN_OUTCOME_DOMAIN.length;

/** True counts per (outcome, group), keyed by the two values joined with NUL. Exported for tests. */
export async function countCampaignReach(db: Pick<Database, 'execute'>, groupBy: CampaignDimension, filter: CampaignReachFilter): Promise<Map<string, number>> {
  const conditions: SQL[] = [sql`r.sent_at is not null`, subjectHasStandingSql(sql`r.candidate_id`, 'ACTIVE')];
  if (filter.channel) conditions.push(sql`c.channel::text = ${filter.channel}`);
  if (filter.month) conditions.push(sql`to_char(r.sent_at at time zone 'UTC', 'YYYY-MM') = ${filter.month}`);
  const group = groupBy === 'CHANNEL' ? sql`b.channel` : sql`b.month`;
  const query = sql`
    select o.outcome, ${group} as g, count(*)::int as n from (
      select c.channel::text as channel, to_char(r.sent_at at time zone 'UTC', 'YYYY-MM') as month, r.opened_at,
        row_number() over (partition by r.candidate_id order by r.sent_at desc, r.campaign_id) as rank
      from marketing.campaign_recipients r
      join marketing.campaigns c on c.id = r.campaign_id
      where ${sql.join(conditions, sql` and `)}
    ) b
    cross join lateral (select 'SENT' as outcome union all select 'OPENED' where b.opened_at is not null) o
    where b.rank <= ${CONTRIBUTION_BOUNDS.deliveriesPerCandidate}
    group by 1, 2`;
  const rows = rowsOf<{ outcome: string; g: string; n: number }>(await db.execute(query));
  return new Map(rows.map((r) => [`${r.outcome}\u0000${r.g}`, Number(r.n)]));
}

export const campaignStatisticsResolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    campaignReach: async (_parent, args: { groupBy: CampaignDimension; filter?: CampaignReachFilter | null }, ctx: SubgraphContext) => {
      if (!mayReceiveStatistics(ctx.caller)) return null;
      const dimension = CAMPAIGN_DIMENSIONS[args.groupBy];
      if (!dimension) throw new ServiceError('BAD_USER_INPUT', 'groupBy is not a campaign dimension.');
      const now = new Date();
      const filter = args.filter ?? {};
      checkFilterValue('channel', filter.channel, domainOf(CAMPAIGN_DIMENSIONS.CHANNEL, now));
      checkFilterValue('month', filter.month, domainOf(CAMPAIGN_DIMENSIONS.MONTH, now));
      const result = await releaseStatistics(ctx.db, {
        analyst: ctx.caller.sub,
        query: { table: 'campaign_deliveries', groupBy: args.groupBy, filter: { ...filter } },
        sensitivity: CAMPAIGN_REACH_SENSITIVITY,
        budget: ctx.statisticsBudget ?? normalizeBudget(),
        now,
        count: async (tx) => knownDomainCells([CAMPAIGN_OUTCOME_DOMAIN, domainOf(dimension, now)], await countCampaignReach(tx, args.groupBy, filter)),
      });
      return statisticsTable(['OUTCOME', args.groupBy], CAMPAIGN_REACH_SENSITIVITY, result, ctx);
    },
  },
};
