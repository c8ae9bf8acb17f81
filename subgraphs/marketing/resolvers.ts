import { and, asc, desc, eq } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { campaignRecipients, campaigns, surveys } from '../../db/schema/marketing.ts';
import { hasConsentSql } from '../../ledger/consent.ts';
import type { SubgraphContext } from '../common/context.ts';
import { connection, decodeCursor, pageSize } from '../common/pagination.ts';
import { afterIdCursor, afterTimestampCursor, isUuid, iso, timestampKey } from '../common/sql.ts';
import {
  type AdIdentifierRow,
  type CampaignRecipientRow,
  type CampaignRow,
  type SurveyResponseRow,
  type SurveyRow,
  adIdentifiersLoader,
  campaignHistoryLoader,
  campaignLoader,
  recipientCountLoader,
  surveyLoader,
  surveyResponsesLoader,
} from './queries.ts';
import { marketingDataSubjectResolvers } from './data-subject.ts';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface MarketingProfileParent {
  candidateId: string;
}

function emptyConnection() {
  return { nodes: [] as { id: string }[], pageInfo: { hasNextPage: false, endCursor: null } };
}

/** A candidate caller reads only its own marketing data; for everyone else the gateway decides. */
function readableBy(ctx: SubgraphContext, candidateId: string): boolean {
  return ctx.caller.role !== 'candidate' || candidateId === ctx.caller.sub.toLowerCase();
}

async function listCampaigns(ctx: SubgraphContext, args: PageArgs) {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const rows = await ctx.db
    .select({ campaign: campaigns, cursorKey: timestampKey(campaigns.startsAt) })
    .from(campaigns)
    .where(afterTimestampCursor(campaigns.startsAt, campaigns.id, cursor))
    .orderBy(desc(campaigns.startsAt), desc(campaigns.id))
    .limit(limit + 1);
  const page = connection(rows, limit, (r) => ({ key: r.cursorKey, id: r.campaign.id }));
  const loader = campaignLoader(ctx);
  for (const { campaign } of page.nodes) loader.prime(campaign.id, campaign);
  return { nodes: page.nodes.map((r) => r.campaign), pageInfo: page.pageInfo };
}

/**
 * The recipients of a campaign who currently consent to the marketer's declared purpose, filtered in SQL
 * (so a page is full and `hasNextPage` exact), in candidate-id order.
 */
async function campaignAudience(ctx: SubgraphContext, args: PageArgs & { campaignId: string }) {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const { caller } = ctx;
  if (caller.role !== 'marketer') return emptyConnection();
  if (caller.purpose !== 'MARKETING' && caller.purpose !== 'SURVEY') return emptyConnection();
  if (!isUuid(args.campaignId)) return emptyConnection();
  const rows = await ctx.db
    .select({ id: campaignRecipients.candidateId })
    .from(campaignRecipients)
    .where(
      and(
        eq(campaignRecipients.campaignId, args.campaignId),
        // The ledger's rule: a live consent of a subject whose standing honours it (a departed candidate is not listed).
        hasConsentSql(campaignRecipients.candidateId, caller.purpose, null),
        afterIdCursor(campaignRecipients.candidateId, cursor),
      ),
    )
    .orderBy(asc(campaignRecipients.candidateId))
    .limit(limit + 1);
  return connection(rows, limit, (r) => ({ key: 'id', id: r.id }));
}

export const resolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    _dataSubjectExport: marketingDataSubjectResolvers.Query._dataSubjectExport,
    campaigns: (_parent, args: PageArgs, ctx: SubgraphContext) => listCampaigns(ctx, args),
    campaign: (_parent, args: { id: string }, ctx: SubgraphContext) =>
      isUuid(args.id) ? campaignLoader(ctx).load(args.id.toLowerCase()) : null,
    campaignAudience: (_parent, args: PageArgs & { campaignId: string }, ctx: SubgraphContext) => campaignAudience(ctx, args),
    surveys: (_parent, _args, ctx: SubgraphContext) =>
      ctx.db.select().from(surveys).orderBy(desc(surveys.opensAt), desc(surveys.id)),
  },
  Mutation: {
    _dataSubjectErase: marketingDataSubjectResolvers.Mutation._dataSubjectErase,
  },
  Campaign: {
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext) =>
      isUuid(reference.id) ? campaignLoader(ctx).load(reference.id.toLowerCase()) : null,
    startsAt: (parent: CampaignRow) => iso(parent.startsAt),
    endsAt: (parent: CampaignRow) => iso(parent.endsAt),
    recipientCount: (parent: CampaignRow, _args, ctx: SubgraphContext) => recipientCountLoader(ctx).load(parent.id),
  },
  Survey: {
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext) =>
      isUuid(reference.id) ? surveyLoader(ctx).load(reference.id.toLowerCase()) : null,
    opensAt: (parent: SurveyRow) => iso(parent.opensAt),
    closesAt: (parent: SurveyRow) => iso(parent.closesAt),
  },
  Candidate: {
    // Only the key lives here; the users subgraph owns the rest (and its row rules ran upstream).
    __resolveReference: (reference: { id: unknown }) => (isUuid(reference.id) ? { id: reference.id.toLowerCase() } : null),
    marketingProfile: (parent: { id: string }, _args, ctx: SubgraphContext): MarketingProfileParent | null =>
      readableBy(ctx, parent.id) ? { candidateId: parent.id } : null,
  },
  MarketingProfile: {
    adIdentifiers: (parent: MarketingProfileParent, _args, ctx: SubgraphContext) =>
      readableBy(ctx, parent.candidateId) ? adIdentifiersLoader(ctx).load(parent.candidateId) : null,
    surveyResponses: (parent: MarketingProfileParent, _args, ctx: SubgraphContext) =>
      readableBy(ctx, parent.candidateId) ? surveyResponsesLoader(ctx).load(parent.candidateId) : null,
    campaignHistory: (parent: MarketingProfileParent, _args, ctx: SubgraphContext) =>
      readableBy(ctx, parent.candidateId) ? campaignHistoryLoader(ctx).load(parent.candidateId) : null,
  },
  AdIdentifier: {
    createdAt: (parent: AdIdentifierRow) => iso(parent.createdAt),
  },
  SurveyResponse: {
    survey: (parent: SurveyResponseRow, _args, ctx: SubgraphContext) => surveyLoader(ctx).load(parent.surveyId),
    answers: async (parent: SurveyResponseRow, _args, ctx: SubgraphContext) => {
      const survey = await surveyLoader(ctx).load(parent.surveyId);
      const questions = survey?.questions ?? [];
      const asked = questions.filter((q) => Object.hasOwn(parent.answers, q));
      const extra = Object.keys(parent.answers).filter((q) => !questions.includes(q));
      return [...asked, ...extra].map((question) => ({ question, answer: parent.answers[question] ?? null }));
    },
    submittedAt: (parent: SurveyResponseRow) => iso(parent.submittedAt),
  },
  CampaignDelivery: {
    campaign: (parent: CampaignRecipientRow, _args, ctx: SubgraphContext) => campaignLoader(ctx).load(parent.campaignId),
    sentAt: (parent: CampaignRecipientRow) => iso(parent.sentAt),
    openedAt: (parent: CampaignRecipientRow) => iso(parent.openedAt),
  },
};
