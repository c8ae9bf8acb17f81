/**
 * What the subgraphs that release statistics share: the budget configuration they read, the caller check they
 * re-apply (defence in depth behind the gateway's @aggregate decision), the known-domain table builder and the
 * GraphQL shape of a released table. The counting itself is each subgraph's own SQL; noise, budget and storage
 * are ledger/budget.ts over directives/statistics/.
 */
import type { BoundCaller } from '../../directives/caller.ts';
import { decide } from '../../directives/decide.ts';
import { ServiceError } from '../../directives/errors.ts';
import { normalizeBudget, type Budget, type BudgetOptions } from '../../directives/statistics/accountant.ts';
import { SUPPRESSION_THRESHOLD, expectedAbsoluteError, type TrueCell } from '../../directives/statistics/mechanism.ts';
import type { ReleaseResult } from '../../ledger/budget.ts';
import type { SubgraphContext } from './context.ts';

/** The budget from the environment (README Configuration); a bad value refuses to start, naming the variable. */
export function statisticsBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): Budget {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a number, e.g. 1 or 0.5.`);
    return value;
  };
  const options: BudgetOptions = {
    epsilonPerQuery: read('STATISTICS_EPSILON_PER_QUERY'),
    epsilonPerAnalystPerPeriod: read('STATISTICS_EPSILON_PER_ANALYST_MONTH'),
    epsilonGlobalPerPeriod: read('STATISTICS_EPSILON_GLOBAL_MONTH'),
    epsilonPerAnalystTotal: read('STATISTICS_EPSILON_PER_ANALYST_TOTAL'),
    epsilonGlobalTotal: read('STATISTICS_EPSILON_GLOBAL_TOTAL'),
  };
  return normalizeBudget(options);
}

/** Whether the caller may receive statistics: the same decision the gateway made on the @aggregate field. */
export function mayReceiveStatistics(caller: BoundCaller | undefined): caller is BoundCaller {
  return !!caller && decide({ kind: 'aggregate', purposes: new Set(['ANALYTICS']) }, caller).kind === 'allow';
}

/**
 * Every cell of the cross product of the domains, with its true count from `counts` (keyed by the cell's values
 * joined with NUL) or 0: values outside a domain are never released, every value inside one is.
 */
export function knownDomainCells(domains: readonly (readonly string[])[], counts: ReadonlyMap<string, number>): TrueCell[] {
  let keys: string[][] = [[]];
  for (const domain of domains) keys = keys.flatMap((k) => domain.map((v) => [...k, v]));
  return keys.map((key) => ({ key, count: counts.get(key.join('\u0000')) ?? 0 }));
}

/** A filter value must be in its dimension's domain; the message names the filter, never the value. */
export function checkFilterValue(name: string, value: string | null | undefined, domain: readonly string[]): void {
  if (value === undefined || value === null) return;
  if (!domain.includes(value)) throw new ServiceError('BAD_USER_INPUT', `filter.${name} is not a value of its dimension's known domain (see the README).`);
}

/** A released table as the GraphQL type `StatisticsTable`. */
export function statisticsTable(dimensions: readonly string[], sensitivity: number, result: ReleaseResult, ctx: Pick<SubgraphContext, 'statisticsReleases'>) {
  const epsilon = result.release.answerEpsilon;
  (ctx.statisticsReleases ??= []).push({
    releaseId: String(result.release.releaseId),
    queryKey: result.release.queryKey,
    epsilonCharged: result.release.epsilon,
    epsilon,
    period: result.release.period,
    reused: result.release.reused,
  });
  return {
    dimensions,
    cells: result.cells.map((c) => ({ group: c.key, count: c.count, suppressed: c.suppressed })),
    epsilon,
    epsilonCharged: result.release.epsilon,
    sensitivity,
    suppressionThreshold: SUPPRESSION_THRESHOLD,
    expectedAbsoluteError: expectedAbsoluteError(epsilon, sensitivity),
    epsilonRemaining: result.standing.epsilonRemaining,
    period: result.release.period,
    reused: result.release.reused,
    releaseId: String(result.release.releaseId),
  };
}

export type { Budget };
