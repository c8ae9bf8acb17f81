/**
 * `Query.candidates`: the candidate search for employers and staff. It lives with the candidates it searches (the
 * users subgraph owns their tables); consent and standing are the ledger's rule in SQL (ledger/consent.ts), so pages
 * are full and `hasNextPage` is exact.
 */
import { and, desc, or, sql, type SQL } from 'drizzle-orm';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { addresses, candidates, resumes } from '../../db/schema/users.ts';
import { hasConsentSql } from '../../ledger/consent.ts';
import { notRestrictedUnderSql } from '../../ledger/restrictions.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { connection, decodeCursor, pageSize } from '../common/pagination.ts';
import { afterTimestampCursor, isUuid, timestampKey } from '../common/sql.ts';
import { selectedCandidate, type CandidateSelection } from './entity-parts.ts';

export interface CandidateFilter {
  industry?: string | null;
  prefecture?: string | null;
  skill?: string | null;
}

const STAFF_ROLES: ReadonlySet<string> = new Set(['support', 'compliance']);

function given(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Who the search lists for the caller: for an employer, the candidates who consent to EMPLOYER_DISCLOSURE to it;
 * for staff, every active candidate (but those who restricted the purpose, see notRestrictedUnderSql); for anyone
 * else, no one.
 */
function searchable(ctx: SubgraphContext): SQL | null {
  const { caller } = ctx;
  if (caller.role === 'employer') return isUuid(caller.org) ? hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', caller.org.toLowerCase()) : null;
  if (STAFF_ROLES.has(caller.role)) {
    const unrestricted = notRestrictedUnderSql(candidates.id, caller.purpose);
    return unrestricted ? and(subjectHasStandingSql(candidates.id, 'ACTIVE'), unrestricted)! : subjectHasStandingSql(candidates.id, 'ACTIVE');
  }
  return null;
}

/** The `nodes` fields below `candidates`, directly or through fragments on the connection. */
function nodesFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): FieldNode[] {
  const found: FieldNode[] = [];
  const visited = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === 'nodes') found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return found;
}

/** What the search's `nodes` select on Candidate: the page's rows are then read as an entity fetch reads them. */
export function selectedNodes(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'schema'>): CandidateSelection {
  return selectedCandidate({ fieldNodes: nodesFields(info), fragments: info.fragments, schema: info.schema });
}

/** One page of candidate ids, newest registrations first, under the caller's rule and the filter. */
export async function searchCandidateIds(
  ctx: SubgraphContext,
  args: { first?: number | null; after?: string | null; filter?: CandidateFilter | null },
) {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const visible = searchable(ctx);
  if (!visible) return { nodes: [] as string[], pageInfo: { hasNextPage: false, endCursor: null as string | null } };
  const filter = args.filter ?? {};
  const conditions: (SQL | undefined)[] = [visible, afterTimestampCursor(candidates.createdAt, candidates.id, cursor)];
  if (given(filter.industry)) conditions.push(sql`${filter.industry} = any(${candidates.desiredIndustries})`);
  if (given(filter.prefecture)) {
    conditions.push(
      or(
        sql`${filter.prefecture} = any(${candidates.desiredPrefectures})`,
        sql`exists (select 1 from ${addresses} where ${addresses.candidateId} = ${candidates.id} and ${addresses.prefecture} = ${filter.prefecture})`,
      ),
    );
  }
  if (given(filter.skill)) {
    conditions.push(
      sql`exists (select 1 from ${resumes} where ${resumes.candidateId} = ${candidates.id} and exists (select 1 from unnest(${resumes.skills}) as skill where lower(skill) = lower(${filter.skill.trim()})))`,
    );
  }
  const rows = await ctx.db
    .select({ id: candidates.id, cursorKey: timestampKey(candidates.createdAt) })
    .from(candidates)
    .where(and(...conditions))
    .orderBy(desc(candidates.createdAt), desc(candidates.id))
    .limit(limit + 1);
  const page = connection(rows, limit, (r) => ({ key: r.cursorKey, id: r.id }));
  return { nodes: page.nodes.map((r) => r.id), pageInfo: page.pageInfo };
}
