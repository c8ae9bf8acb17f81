import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode } from 'graphql';
import type { Database } from '../../db/client.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import type { Budget } from '../../directives/statistics/accountant.ts';
import type { SubgraphRetention } from './retention.ts';

/** What every subgraph resolver receives: the caller proven by the gateway's signed assertion, and the database. */
export interface SubgraphContext {
  caller: BoundCaller;
  db: Database;
  /** The statistics budget this subgraph charges (README Configuration); the defaults when absent. */
  statisticsBudget?: Budget;
  /**
   * The statistics this request released (ids, ε, period; never a count): reported to the gateway in the response's
   * `extensions.statisticsReleases`, which the gateway's audit log records before the answer leaves.
   */
  statisticsReleases?: StatisticsReleaseReport[];
}

/** One release as a subgraph reports it to the gateway. */
export interface StatisticsReleaseReport {
  releaseId: string;
  queryKey: string;
  epsilonCharged: number;
  epsilon: number;
  period: string;
  reused: boolean;
}

/** A subgraph as data: its name, its SDL (privacy directives included) and its resolvers. */
export interface SubgraphDefinition {
  name: 'users' | 'employers' | 'marketing';
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext>;
  /** The retention rules the subgraph sweeps over its own schema (subgraphs/common/retention.ts). */
  retention?: SubgraphRetention;
}
