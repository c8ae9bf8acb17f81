import { and, asc, desc, eq } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { addresses, candidates, residenceCards, resumes, workHistory } from '../../db/schema/users.ts';
import type { SubgraphContext } from '../common/context.ts';
import { changeConsent, consentHistoryLoader, consentsLoader, consentTypeResolvers, mayReadConsents, restrictionsLoader } from './consent.ts';
import { idsIn, isUuid, iso, preparedByIds } from '../common/sql.ts';
import { groupLoader, rowLoader } from '../common/batch-loader.ts';
import { candidateVisibility } from './visibility.ts';
import { EVERYTHING, candidatesWithParts, selectedCandidate, type CandidateSelection } from './entity-parts.ts';
import type { GraphQLResolveInfo } from 'graphql';
import { usersDataSubjectResolvers } from './data-subject.ts';
import { accountabilityResolvers } from './accountability.ts';
import { legalHoldResolvers } from './holds.ts';
import { rightsResolvers } from './rights.ts';
import { searchCandidateIds, selectedNodes } from './search.ts';
import { updateMyProfile } from './correction.ts';
import { changeRestriction, type RestrictionArgs } from './restriction.ts';

type CandidateRow = typeof candidates.$inferSelect;
type ResidenceCardRow = typeof residenceCards.$inferSelect;
type ResumeRow = typeof resumes.$inferSelect;

const candidatesById = preparedByIds('users_candidates_by_id', (db) => db.select().from(candidates).where(idsIn(candidates.id)));
const addressesByCandidate = preparedByIds('users_addresses_by_candidate', (db) =>
  db.select().from(addresses).where(idsIn(addresses.candidateId)),
);
const residenceCardsByCandidate = preparedByIds('users_residence_cards_by_candidate', (db) =>
  db.select().from(residenceCards).where(idsIn(residenceCards.candidateId)),
);
const resumesByCandidate = preparedByIds('users_resumes_by_candidate', (db) => db.select().from(resumes).where(idsIn(resumes.candidateId)));
const workHistoryByCandidate = preparedByIds('users_work_history_by_candidate', (db) =>
  db
    .select()
    .from(workHistory)
    .where(idsIn(workHistory.candidateId))
    .orderBy(desc(workHistory.startedOn), asc(workHistory.id)),
);

/**
 * Candidate rows by id, one query per request wave. No row rule: used for entity references only.
 * With a narrower `selection`, the same statement reads the selected one-to-one parts (handed to their own loaders)
 * and, when light columns suffice, only those (see entity-parts.ts).
 */
export function candidateLoader(ctx: SubgraphContext, selection: CandidateSelection = EVERYTHING) {
  if (selection.parts.length === 0 && !selection.light) {
    return rowLoader(ctx, 'users.candidate', (ids) => candidatesById(ctx.db, ids), (row) => row.id);
  }
  return rowLoader(
    ctx,
    `users.candidate.${selection.key}`,
    async (ids) => {
      const rows = await candidatesWithParts(selection)(ctx.db, ids);
      const [address, residenceCard, resume] = [addressLoader(ctx), residenceCardLoader(ctx), resumeLoader(ctx)];
      return rows.map(({ candidate, parts: found }) => {
        if (found.address !== undefined) address.prime(candidate.id, found.address);
        if (found.residenceCard !== undefined) residenceCard.prime(candidate.id, found.residenceCard);
        if (found.resume !== undefined) resume.prime(candidate.id, found.resume);
        return candidate;
      });
    },
    (row) => row.id,
  );
}

function addressLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'users.address', (ids) => addressesByCandidate(ctx.db, ids), (row) => row.candidateId);
}

function residenceCardLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'users.residenceCard', (ids) => residenceCardsByCandidate(ctx.db, ids), (row) => row.candidateId);
}

function resumeLoader(ctx: SubgraphContext) {
  return rowLoader(ctx, 'users.resume', (ids) => resumesByCandidate(ctx.db, ids), (row) => row.candidateId);
}

function workHistoryLoader(ctx: SubgraphContext) {
  return groupLoader(ctx, 'users.workHistory', (ids) => workHistoryByCandidate(ctx.db, ids), (row) => row.candidateId);
}

/** One candidate by id under the caller's row rule; null when unknown, malformed or not visible (indistinguishable). */
async function visibleCandidate(ctx: SubgraphContext, id: unknown): Promise<CandidateRow | null> {
  if (!isUuid(id)) return null;
  const visible = candidateVisibility(ctx.caller);
  if (!visible) return null;
  const [row] = await ctx.db
    .select()
    .from(candidates)
    .where(and(eq(candidates.id, id), visible))
    .limit(1);
  if (!row) return null;
  candidateLoader(ctx).prime(row.id, row);
  return row;
}

export const resolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    _dataSubjectExport: usersDataSubjectResolvers.Query._dataSubjectExport,
    me: (_parent, _args, ctx: SubgraphContext) =>
      ctx.caller.role === 'candidate' ? visibleCandidate(ctx, ctx.caller.sub) : null,
    candidate: (_parent, args: { id: string }, ctx: SubgraphContext) => visibleCandidate(ctx, args.id),
    candidates: async (_parent, args: Parameters<typeof searchCandidateIds>[1], ctx: SubgraphContext, info: GraphQLResolveInfo) => {
      const page = await searchCandidateIds(ctx, args);
      // The page's rows are read as an entity fetch of the same selection reads them (light columns, parts joined).
      const loader = candidateLoader(ctx, selectedNodes(info));
      const rows = await Promise.all(page.nodes.map((id) => loader.load(id)));
      return { nodes: rows.filter((row): row is CandidateRow => row !== null && row !== undefined), pageInfo: page.pageInfo };
    },
    node: async (_parent, args: { id: string }, ctx: SubgraphContext) => {
      const row = await visibleCandidate(ctx, args.id);
      return row ? { __typename: 'Candidate', ...row } : null;
    },
    ...accountabilityResolvers.Query,
    ...legalHoldResolvers.Query,
    ...rightsResolvers.Query,
  },
  Mutation: {
    _dataSubjectErase: usersDataSubjectResolvers.Mutation._dataSubjectErase,
    grantConsent: (_parent, args: Parameters<typeof changeConsent>[2], ctx: SubgraphContext) => changeConsent(ctx, 'GRANT', args),
    withdrawConsent: (_parent, args: Parameters<typeof changeConsent>[2], ctx: SubgraphContext) =>
      changeConsent(ctx, 'WITHDRAW', { purpose: args.purpose, recipient: args.recipient }),
    updateMyProfile: (_parent, args: Parameters<typeof updateMyProfile>[1], ctx: SubgraphContext) => updateMyProfile(ctx, args),
    restrictProcessing: (_parent, args: RestrictionArgs, ctx: SubgraphContext) => changeRestriction(ctx, 'RESTRICT', args),
    liftRestriction: (_parent, args: RestrictionArgs, ctx: SubgraphContext) => changeRestriction(ctx, 'LIFT', args),
    ...legalHoldResolvers.Mutation,
    ...rightsResolvers.Mutation,
  },
  Node: {
    __resolveType: (parent: { __typename?: string }) => parent.__typename ?? 'Candidate',
  },
  Candidate: {
    // @apollo/subgraph calls it with (reference, context, info of `_entities`); the map's type names a field resolver.
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext, info: unknown) =>
      isUuid(reference.id) ? candidateLoader(ctx, selectedCandidate(info as GraphQLResolveInfo)).load(reference.id.toLowerCase()) : null,
    address: (parent: CandidateRow, _args, ctx: SubgraphContext) => addressLoader(ctx).loadNow(parent.id),
    residenceCard: (parent: CandidateRow, _args, ctx: SubgraphContext) => residenceCardLoader(ctx).loadNow(parent.id),
    resume: (parent: CandidateRow, _args, ctx: SubgraphContext) => resumeLoader(ctx).loadNow(parent.id),
    desiredIndustries: (parent: CandidateRow) => parent.desiredIndustries,
    desiredPrefectures: (parent: CandidateRow) => parent.desiredPrefectures,
    consents: (parent: CandidateRow, _args, ctx: SubgraphContext) =>
      mayReadConsents(ctx, parent.id) ? consentsLoader(ctx).load(parent.id) : null,
    consentHistory: (parent: CandidateRow, _args, ctx: SubgraphContext) =>
      mayReadConsents(ctx, parent.id) ? consentHistoryLoader(ctx).load(parent.id) : null,
    // Whoever may read the consent record may read the restrictions (the same policy on the field).
    restrictions: async (parent: CandidateRow, _args, ctx: SubgraphContext) =>
      mayReadConsents(ctx, parent.id)
        ? (await restrictionsLoader(ctx).load(parent.id)).map((r) => ({ purpose: r.purpose, restrictedAt: iso(r.restrictedAt) }))
        : null,
    ...accountabilityResolvers.Candidate,
  },
  ProvisionRecord: accountabilityResolvers.ProvisionRecord,
  AccessLogEntry: accountabilityResolvers.AccessLogEntry,
  LegalHold: legalHoldResolvers.LegalHold,
  DataSubjectRequest: rightsResolvers.DataSubjectRequest,
  ...consentTypeResolvers,
  ResidenceCard: {
    number: (parent: ResidenceCardRow) => parent.cardNumber,
  },
  Resume: {
    workHistory: (parent: ResumeRow, _args, ctx: SubgraphContext) => workHistoryLoader(ctx).load(parent.candidateId),
    updatedAt: (parent: ResumeRow) => iso(parent.updatedAt),
  },
};
