/** SQL of the marketing subgraph: batched loaders, one query per type per request wave. */
import { asc, count, desc, sql } from 'drizzle-orm';
import { adIdentifiers, campaignRecipients, campaigns, surveyResponses, surveys } from '../../db/schema/marketing.ts';
import type { SubgraphContext } from '../common/context.ts';
import { idsIn, isUuid, preparedByIds, uuidIn } from '../common/sql.ts';
import { groupLoader, loaderFor, rowLoader } from '../common/batch-loader.ts';

export type CampaignRow = typeof campaigns.$inferSelect;
export type SurveyRow = typeof surveys.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
export type AdIdentifierRow = typeof adIdentifiers.$inferSelect;
export type CampaignRecipientRow = typeof campaignRecipients.$inferSelect;

const campaignsById = preparedByIds('marketing_campaigns_by_id', (db) => db.select().from(campaigns).where(idsIn(campaigns.id)));
const surveysById = preparedByIds('marketing_surveys_by_id', (db) => db.select().from(surveys).where(idsIn(surveys.id)));
const adIdentifiersByCandidate = preparedByIds('marketing_ad_identifiers_by_candidate', (db) =>
  db
    .select()
    .from(adIdentifiers)
    .where(idsIn(adIdentifiers.candidateId))
    .orderBy(desc(adIdentifiers.createdAt), asc(adIdentifiers.id)),
);
const surveyResponsesByCandidate = preparedByIds('marketing_survey_responses_by_candidate', (db) =>
  db
    .select()
    .from(surveyResponses)
    .where(idsIn(surveyResponses.candidateId))
    .orderBy(desc(surveyResponses.submittedAt), asc(surveyResponses.id)),
);
const campaignHistoryByCandidate = preparedByIds('marketing_campaign_history_by_candidate', (db) =>
  db
    .select()
    .from(campaignRecipients)
    .where(idsIn(campaignRecipients.candidateId))
    .orderBy(sql`${campaignRecipients.sentAt} desc nulls last`, asc(campaignRecipients.campaignId)),
);

export function campaignLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'marketing.campaign', (ids) => campaignsById(ctx.db, ids), (r) => r.id);
}

export function surveyLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'marketing.survey', (ids) => surveysById(ctx.db, ids), (r) => r.id);
}

/** Number of recipients per campaign (an aggregate). */
export function recipientCountLoader(ctx: SubgraphContext) {
  return loaderFor<number>(
    ctx,
    'marketing.recipientCount',
    async (keys) => {
      const ids = keys.filter(isUuid);
      if (ids.length === 0) return new Map();
      const rows = await ctx.db
        .select({ campaignId: campaignRecipients.campaignId, n: count() })
        .from(campaignRecipients)
        .where(uuidIn(campaignRecipients.campaignId, ids))
        .groupBy(campaignRecipients.campaignId);
      return new Map(rows.map((r) => [r.campaignId, Number(r.n)]));
    },
    () => 0,
  );
}

export function adIdentifiersLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'marketing.adIdentifiers', (ids) => adIdentifiersByCandidate(ctx.db, ids), (r) => r.candidateId);
}

export function surveyResponsesLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'marketing.surveyResponses', (ids) => surveyResponsesByCandidate(ctx.db, ids), (r) => r.candidateId);
}

export function campaignHistoryLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'marketing.campaignHistory', (ids) => campaignHistoryByCandidate(ctx.db, ids), (r) => r.candidateId);
}
