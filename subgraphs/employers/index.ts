import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { subgraphSdl } from '../../directives/sdl.ts';
import type { SubgraphDefinition } from '../common/context.ts';
import { employersRetentionTargets } from './retention.ts';
import { resolvers } from './resolvers.ts';
import { funnelStatisticsResolvers } from './statistics.ts';

const schemaSdl = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The employers subgraph: employers, job postings, applications and the consented candidate search. */
export function employersSubgraph(): SubgraphDefinition {
  return {
    name: 'employers',
    retention: { sweeper: 'employers', targets: employersRetentionTargets },
    typeDefs: parse(subgraphSdl(schemaSdl)),
    resolvers: { ...resolvers, Query: { ...(resolvers.Query as object), ...(funnelStatisticsResolvers.Query as object) } } as SubgraphDefinition['resolvers'],
  };
}
