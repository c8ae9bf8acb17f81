/** SQL of the marketing subgraph: batched loaders, one query per type per request wave. */
import { asc, count, desc, sql } from 'drizzle-orm';
import { adIdentifiers, campaignRecipients, campaigns, surveyResponses, surveys } from '../../db/schema/marketing.ts';
import type { SubgraphContext } from '../common/context.ts';
import { isUuid, uuidIn } from '../common/sql.ts';
import { groupLoader, loaderFor, rowLoader } from '../common/batch-loader.ts';

export type CampaignRow = typeof campaigns.$inferSelect;
export type SurveyRow = typeof surveys.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
export type AdIdentifierRow = typeof adIdentifiers.$inferSelect;
export type CampaignRecipientRow = typeof campaignRecipients.$inferSelect;

export function campaignLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'marketing.campaign', (ids) => ctx.db.select().from(campaigns).where(uuidIn(campaigns.id, ids)), (r) => r.id);
}

export function surveyLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'marketing.survey', (ids) => ctx.db.select().from(surveys).where(uuidIn(surveys.id, ids)), (r) => r.id);
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
  return groupLoader(
    ctx,
    'marketing.adIdentifiers',
    (ids) =>
      ctx.db
        .select()
        .from(adIdentifiers)
        .where(uuidIn(adIdentifiers.candidateId, ids))
        .orderBy(desc(adIdentifiers.createdAt), asc(adIdentifiers.id)),
    (r) => r.candidateId,
  );
}

export function surveyResponsesLoader(ctx: SubgraphContext) {
  return groupLoader(
    ctx,
    'marketing.surveyResponses',
    (ids) =>
      ctx.db
        .select()
        .from(surveyResponses)
        .where(uuidIn(surveyResponses.candidateId, ids))
        .orderBy(desc(surveyResponses.submittedAt), asc(surveyResponses.id)),
    (r) => r.candidateId,
  );
}

export function campaignHistoryLoader(ctx: SubgraphContext) {
  return groupLoader(
    ctx,
    'marketing.campaignHistory',
    (ids) =>
      ctx.db
        .select()
        .from(campaignRecipients)
        .where(uuidIn(campaignRecipients.candidateId, ids))
        .orderBy(sql`${campaignRecipients.sentAt} desc nulls last`, asc(campaignRecipients.campaignId)),
    (r) => r.candidateId,
  );
}
