import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { subgraphSdl } from '../../directives/sdl.ts';
import type { SubgraphDefinition } from '../common/context.ts';
import { provisionRecordRetentionTargets } from '../../audit/retention.ts';
import { usersRetentionTargets } from './retention.ts';
import { resolvers } from './resolvers.ts';
import { candidateStatisticsResolvers } from './statistics.ts';

const schemaSdl = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The users subgraph: candidates, their contact data, address, residence card and CV. */
export function usersSubgraph(): SubgraphDefinition {
  return {
    name: 'users',
    // The provision records' rule (audit/) runs here: this subgraph serves the records.
    retention: { sweeper: 'users', targets: [...usersRetentionTargets, ...provisionRecordRetentionTargets] },
    typeDefs: parse(subgraphSdl(schemaSdl)),
    resolvers: { ...resolvers, Query: { ...(resolvers.Query as object), ...(candidateStatisticsResolvers.Query as object) } } as SubgraphDefinition["resolvers"],
  };
}
