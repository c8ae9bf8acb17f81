import { describe, expect, it } from 'vitest';
import { checkFilterValue, knownDomainCells, mayReceiveStatistics, statisticsBudgetFromEnv } from './statistics.ts';

const caller = (role: string, purpose: string) => ({ sub: 's', role, org: null, purposes: [purpose], purpose, legalBasis: null }) as never;

describe('the statistics configuration', () => {
  it('reads the budget from the environment, defaults for what is unset', () => {
    expect(statisticsBudgetFromEnv({})).toEqual({ perQueryMilli: 1000, perAnalystMilli: 10_000, globalMilli: 50_000, totalPerAnalystMilli: 120_000, totalGlobalMilli: 600_000 });
    expect(statisticsBudgetFromEnv({ STATISTICS_EPSILON_PER_QUERY: '0.25', STATISTICS_EPSILON_PER_ANALYST_MONTH: '2', STATISTICS_EPSILON_GLOBAL_MONTH: '' })).toEqual({
      perQueryMilli: 250,
      perAnalystMilli: 2000,
      globalMilli: 50_000,
      totalPerAnalystMilli: 120_000,
      totalGlobalMilli: 600_000,
    });
    expect(statisticsBudgetFromEnv({ STATISTICS_EPSILON_PER_ANALYST_TOTAL: '30', STATISTICS_EPSILON_GLOBAL_TOTAL: '100' })).toMatchObject({ totalPerAnalystMilli: 30_000, totalGlobalMilli: 100_000 });
  });

  it.each([
    [{ STATISTICS_EPSILON_PER_QUERY: 'one' }, /STATISTICS_EPSILON_PER_QUERY/],
    [{ STATISTICS_EPSILON_PER_QUERY: '0' }, /STATISTICS_EPSILON_PER_QUERY/],
    [{ STATISTICS_EPSILON_PER_ANALYST_MONTH: '0.0001' }, /STATISTICS_EPSILON_PER_ANALYST_MONTH/],
    [{ STATISTICS_EPSILON_GLOBAL_MONTH: '5' }, /STATISTICS_EPSILON_GLOBAL_MONTH/],
    [{ STATISTICS_EPSILON_PER_ANALYST_TOTAL: '5' }, /STATISTICS_EPSILON_PER_ANALYST_TOTAL/],
    [{ STATISTICS_EPSILON_GLOBAL_TOTAL: 'lots' }, /STATISTICS_EPSILON_GLOBAL_TOTAL/],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => statisticsBudgetFromEnv(env)).toThrow(message);
  });
});

describe('the subgraph side', () => {
  it('re-applies the @aggregate decision: analysts under ANALYTICS only', () => {
    expect(mayReceiveStatistics(caller('analyst', 'ANALYTICS'))).toBe(true);
    for (const [role, purpose] of [['support', 'SUPPORT'], ['compliance', 'LEGAL_OBLIGATION'], ['support', 'ANALYTICS'], ['candidate', 'SERVICE_PROVISION']]) {
      expect(mayReceiveStatistics(caller(role!, purpose!))).toBe(false);
    }
    expect(mayReceiveStatistics(undefined)).toBe(false);
  });

  it('builds every cell of the domains’ cross product, unknown groups dropped', () => {
    const cells = knownDomainCells([['A', 'B'], ['x', 'y']], new Map([['A\u0000y', 3], ['C\u0000x', 9]]));
    expect(cells).toEqual([
      { key: ['A', 'x'], count: 0 },
      { key: ['A', 'y'], count: 3 },
      { key: ['B', 'x'], count: 0 },
      { key: ['B', 'y'], count: 0 },
    ]);
  });

  it('refuses a filter value outside the domain without repeating it', () => {
    expect(() => checkFilterValue('prefecture', 'secret@example.com', ['東京都'])).toThrow(/filter\.prefecture/);
    expect(() => checkFilterValue('prefecture', 'secret@example.com', ['東京都'])).not.toThrow(/secret/);
    expect(() => checkFilterValue('prefecture', '東京都', ['東京都'])).not.toThrow();
  });
});
