import { describe, expect, it } from 'vitest';
import { fixedByteStream } from './byte-stream.testing.ts';
import { budgetPeriod, canonicalQuery, decideCharge, nextReset, normalizeBudget, remainingMilli, toMilliEpsilon } from './accountant.ts';
import { CANDIDATE_DIMENSIONS, domainOf, monthDomain, PREFECTURE_DOMAIN } from './domains.ts';
import { expectedAbsoluteError, releaseCounts, SUPPRESSION_THRESHOLD } from './mechanism.ts';
import { createExactRandom } from './sampler.ts';

const random = (seed: string) => createExactRandom(fixedByteStream(seed));

describe('releaseCounts', () => {
  it('releases every cell of the domain, suppressing noisy counts below 10 and never a negative one', () => {
    const cells = PREFECTURE_DOMAIN.map((p, i) => ({ key: [p], count: i === 12 ? 500 : 0 }));
    const out = releaseCounts({ cells, sensitivity: 1, epsilonMilli: 1000 }, random('domain'));
    expect(out.map((c) => c.key[0])).toEqual([...PREFECTURE_DOMAIN]);
    for (const c of out) {
      if (c.suppressed) expect(c.count).toBeNull();
      else expect(c.count).toBeGreaterThanOrEqual(SUPPRESSION_THRESHOLD);
    }
    expect(out[12]!.suppressed).toBe(false);
    expect(Math.abs(out[12]!.count! - 500)).toBeLessThan(30);
    expect(out.filter((c) => c.suppressed).length).toBe(46);
  });

  it('suppresses on the noisy count, not the true one: a true 9 is sometimes released, a true 10 sometimes suppressed', () => {
    const r = random('threshold');
    const nine = Array.from({ length: 2000 }, () => releaseCounts({ cells: [{ key: ['a'], count: 9 }], sensitivity: 1, epsilonMilli: 1000 }, r)[0]!);
    const ten = Array.from({ length: 2000 }, () => releaseCounts({ cells: [{ key: ['a'], count: 10 }], sensitivity: 1, epsilonMilli: 1000 }, r)[0]!);
    expect(nine.some((c) => !c.suppressed)).toBe(true);
    expect(ten.some((c) => c.suppressed)).toBe(true);
  });

  it('has the mean absolute error that ε and the sensitivity predict', () => {
    for (const [epsilonMilli, sensitivity] of [[1000, 1], [500, 1], [1000, 3]] as const) {
      const r = random(`mae-${epsilonMilli}-${sensitivity}`);
      let total = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) total += Math.abs(releaseCounts({ cells: [{ key: ['a'], count: 1000 }], sensitivity, epsilonMilli }, r)[0]!.count! - 1000);
      const predicted = expectedAbsoluteError(epsilonMilli / 1000, sensitivity);
      expect(total / n).toBeGreaterThan(predicted * 0.95);
      expect(total / n).toBeLessThan(predicted * 1.05);
    }
  });

  it('refuses a bad sensitivity, ε or count', () => {
    const r = random('bad');
    expect(() => releaseCounts({ cells: [], sensitivity: 0, epsilonMilli: 1000 }, r)).toThrow(RangeError);
    expect(() => releaseCounts({ cells: [], sensitivity: 1, epsilonMilli: 0 }, r)).toThrow(RangeError);
    expect(() => releaseCounts({ cells: [{ key: ['a'], count: -1 }], sensitivity: 1, epsilonMilli: 1000 }, r)).toThrow(RangeError);
  });
});

describe('the domains', () => {
  it('hold 47 prefectures (plus UNKNOWN for the candidate table) and 24 months ending with the current one', () => {
    expect(new Set(PREFECTURE_DOMAIN).size).toBe(47);
    expect(domainOf(CANDIDATE_DIMENSIONS.PREFECTURE, new Date())).toHaveLength(48);
    const months = monthDomain(new Date('2026-03-15T00:00:00Z'));
    expect(months).toHaveLength(24);
    expect(months[0]).toBe('2024-04');
    expect(months.at(-1)).toBe('2026-03');
  });
});

describe('the accountant', () => {
  const budget = normalizeBudget({ epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 3, epsilonGlobalPerPeriod: 5 });

  const spent = (analystMilli: number, globalMilli: number, analystTotalMilli = analystMilli, globalTotalMilli = globalMilli) => ({ analystMilli, globalMilli, analystTotalMilli, globalTotalMilli });

  it('charges only what fits both the analyst’s and the global budget', () => {
    expect(decideCharge(spent(2000, 2000), 1000, budget)).toEqual({ kind: 'charge', costMilli: 1000 });
    expect(decideCharge(spent(2500, 2500), 1000, budget)).toEqual({ kind: 'exhausted', remainingMilli: 500 });
    expect(decideCharge(spent(0, 4500), 1000, budget)).toEqual({ kind: 'exhausted', remainingMilli: 500 });
    expect(remainingMilli(spent(9000, 9000), budget)).toBe(0);
  });

  it('bounds ε over every period: the cumulative caps never reset, so a fresh month over the same rows adds nothing once they are spent', () => {
    const capped = normalizeBudget({ epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 3, epsilonGlobalPerPeriod: 5, epsilonPerAnalystTotal: 7, epsilonGlobalTotal: 9 });
    const periodEnd = new Date('2027-01-01T00:00:00Z');
    // A new month: nothing spent in it, but 6.5 of the analyst's 7 over all months.
    expect(decideCharge(spent(0, 0, 6500, 6500), 1000, capped)).toEqual({ kind: 'exhausted', remainingMilli: 500 });
    expect(nextReset(spent(0, 0, 6500, 6500), capped, periodEnd)).toBeNull();
    // Everyone's cap binds another analyst too.
    expect(decideCharge(spent(0, 0, 0, 8500), 1000, capped)).toEqual({ kind: 'exhausted', remainingMilli: 500 });
    // While the period's budget binds, it resets at the period's end.
    expect(decideCharge(spent(3000, 3000, 3000, 3000), 1000, capped)).toEqual({ kind: 'exhausted', remainingMilli: 0 });
    expect(nextReset(spent(3000, 3000, 3000, 3000), capped, periodEnd)).toEqual(periodEnd);
    expect(remainingMilli(spent(1000, 1000, 6000, 6000), capped)).toBe(1000);
    expect(() => normalizeBudget({ epsilonPerAnalystPerPeriod: 10, epsilonPerAnalystTotal: 5 })).toThrow(/STATISTICS_EPSILON_PER_ANALYST_TOTAL/);
    expect(() => normalizeBudget({ epsilonGlobalPerPeriod: 50, epsilonGlobalTotal: 40 })).toThrow(/STATISTICS_EPSILON_GLOBAL_TOTAL/);
    expect(() => normalizeBudget({ epsilonPerAnalystTotal: 700, epsilonGlobalTotal: 600 })).toThrow(/STATISTICS_EPSILON_PER_ANALYST_TOTAL must not exceed/);
  });

  it('counts ε in exact thousandths and refuses bad settings, naming them', () => {
    expect(toMilliEpsilon(0.1) + toMilliEpsilon(0.2)).toBe(toMilliEpsilon(0.3));
    expect(() => toMilliEpsilon(0.0001)).toThrow(/three decimals/);
    expect(() => toMilliEpsilon(-1)).toThrow(RangeError);
    expect(() => normalizeBudget({ epsilonPerQuery: 5, epsilonPerAnalystPerPeriod: 1 })).toThrow(/STATISTICS_EPSILON_PER_QUERY/);
    expect(() => normalizeBudget({ epsilonPerAnalystPerPeriod: 100, epsilonGlobalPerPeriod: 10 })).toThrow(/STATISTICS_EPSILON_GLOBAL_MONTH/);
  });

  it('has calendar-month periods in UTC', () => {
    expect(budgetPeriod(new Date('2026-12-31T23:59:59Z'))).toEqual({
      period: '2026-12',
      startsAt: new Date('2026-12-01T00:00:00Z'),
      resetsAt: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('gives one key to the same question however its filters are written', () => {
    const a = canonicalQuery({ table: 'candidates', groupBy: 'PREFECTURE', filter: { ageBand: '20-29', skill: null, nationalityGroup: 'FOREIGN' } });
    const b = canonicalQuery({ table: 'candidates', groupBy: 'PREFECTURE', filter: { nationalityGroup: 'FOREIGN', ageBand: '20-29' } });
    const c = canonicalQuery({ table: 'candidates', groupBy: 'PREFECTURE', filter: { nationalityGroup: 'JAPANESE', ageBand: '20-29' } });
    expect(a).toEqual(b);
    expect(c.key).not.toBe(a.key);
  });
});
