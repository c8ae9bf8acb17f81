import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { subgraphSdl } from '../../directives/sdl.ts';
import type { SubgraphDefinition } from '../common/context.ts';
import { marketingRetentionTargets } from './retention.ts';
import { resolvers } from './resolvers.ts';
import { campaignStatisticsResolvers } from './statistics.ts';

const schemaSdl = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The marketing subgraph: campaigns and audiences, surveys, advertising identifiers. */
export function marketingSubgraph(): SubgraphDefinition {
  return {
    name: 'marketing',
    retention: { sweeper: 'marketing', targets: marketingRetentionTargets },
    typeDefs: parse(subgraphSdl(schemaSdl)),
    resolvers: { ...resolvers, Query: { ...(resolvers.Query as object), ...(campaignStatisticsResolvers.Query as object) } } as SubgraphDefinition['resolvers'],
  };
}
