/**
 * The privacy budget's rules as data and pure functions: ε per release, per analyst per period, and a global cap
 * per period across all analysts (analysts can share results); and, since a budget refreshed every month over the
 * same rows would let ε add up without bound, a cumulative cap per analyst and for everyone over all periods that
 * never resets. ε is counted in thousandths, as integers, so budgets add up exactly. The store that applies these rules in one transaction is ledger/budget.ts.
 */
import { createHash } from 'node:crypto';

/** ε is kept in thousandths: 1 ε = 1000. */
export const EPSILON_SCALE = 1000;

/** The defaults (configuration may lower or raise them; see README Configuration). */
export const DEFAULT_BUDGET = {
  /** ε charged per released table. */
  epsilonPerQuery: 1,
  /** ε one analyst may spend per period. */
  epsilonPerAnalystPerPeriod: 10,
  /** ε all analysts together may spend per period. */
  epsilonGlobalPerPeriod: 50,
  /** ε one analyst may spend over all periods together (never resets). */
  epsilonPerAnalystTotal: 120,
  /** ε all analysts together may spend over all periods together (never resets). */
  epsilonGlobalTotal: 600,
} as const;

export type BudgetOptions = Partial<Record<keyof typeof DEFAULT_BUDGET, number>>;

/** The budget with defaults resolved, in thousandths of ε. */
export interface Budget {
  perQueryMilli: number;
  perAnalystMilli: number;
  globalMilli: number;
  /** Cumulative caps over every period. */
  totalPerAnalystMilli: number;
  totalGlobalMilli: number;
}

/** ε in thousandths; refuses anything that is not a positive multiple of 0.001. */
export function toMilliEpsilon(epsilon: number, setting = 'ε'): number {
  const milli = Math.round(epsilon * EPSILON_SCALE);
  if (!Number.isFinite(epsilon) || epsilon <= 0 || Math.abs(milli - epsilon * EPSILON_SCALE) > 1e-6 || milli < 1) {
    throw new RangeError(`${setting} must be a positive number with at most three decimals, e.g. 1 or 0.5.`);
  }
  return milli;
}

export function fromMilliEpsilon(milli: number): number {
  return milli / EPSILON_SCALE;
}

/** Resolves the defaults once; a bad setting throws, naming it. */
export function normalizeBudget(options: BudgetOptions = {}): Budget {
  const o = { ...DEFAULT_BUDGET, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const budget = {
    perQueryMilli: toMilliEpsilon(o.epsilonPerQuery, 'STATISTICS_EPSILON_PER_QUERY'),
    perAnalystMilli: toMilliEpsilon(o.epsilonPerAnalystPerPeriod, 'STATISTICS_EPSILON_PER_ANALYST_MONTH'),
    globalMilli: toMilliEpsilon(o.epsilonGlobalPerPeriod, 'STATISTICS_EPSILON_GLOBAL_MONTH'),
    totalPerAnalystMilli: toMilliEpsilon(o.epsilonPerAnalystTotal, 'STATISTICS_EPSILON_PER_ANALYST_TOTAL'),
    totalGlobalMilli: toMilliEpsilon(o.epsilonGlobalTotal, 'STATISTICS_EPSILON_GLOBAL_TOTAL'),
  };
  if (budget.perQueryMilli > budget.perAnalystMilli) throw new RangeError('STATISTICS_EPSILON_PER_QUERY must not exceed STATISTICS_EPSILON_PER_ANALYST_MONTH.');
  if (budget.perAnalystMilli > budget.globalMilli) throw new RangeError('STATISTICS_EPSILON_PER_ANALYST_MONTH must not exceed STATISTICS_EPSILON_GLOBAL_MONTH.');
  if (budget.perAnalystMilli > budget.totalPerAnalystMilli) throw new RangeError('STATISTICS_EPSILON_PER_ANALYST_MONTH must not exceed STATISTICS_EPSILON_PER_ANALYST_TOTAL.');
  if (budget.globalMilli > budget.totalGlobalMilli) throw new RangeError('STATISTICS_EPSILON_GLOBAL_MONTH must not exceed STATISTICS_EPSILON_GLOBAL_TOTAL.');
  if (budget.totalPerAnalystMilli > budget.totalGlobalMilli) throw new RangeError('STATISTICS_EPSILON_PER_ANALYST_TOTAL must not exceed STATISTICS_EPSILON_GLOBAL_TOTAL.');
  return budget;
}

/** A budget period: a calendar month in UTC. */
export interface BudgetPeriod {
  /** `YYYY-MM`. */
  period: string;
  startsAt: Date;
  resetsAt: Date;
}

export function budgetPeriod(now: Date): BudgetPeriod {
  const startsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { period: startsAt.toISOString().slice(0, 7), startsAt, resetsAt };
}

/** The period key of the cumulative rows (every period together). */
export const TOTAL_PERIOD = 'total';

/** What one analyst and everyone have spent in the period and over all periods, in thousandths. */
export interface Spent {
  analystMilli: number;
  globalMilli: number;
  analystTotalMilli: number;
  globalTotalMilli: number;
}

/** What remains of the period's budgets (the analyst's and the global one, the smaller). */
export function periodRemainingMilli(spent: Spent, budget: Budget): number {
  return Math.max(0, Math.min(budget.perAnalystMilli - spent.analystMilli, budget.globalMilli - spent.globalMilli));
}

/** What remains of the cumulative caps (the analyst's and the global one, the smaller). */
export function totalRemainingMilli(spent: Spent, budget: Budget): number {
  return Math.max(0, Math.min(budget.totalPerAnalystMilli - spent.analystTotalMilli, budget.totalGlobalMilli - spent.globalTotalMilli));
}

/** An analyst's standing: what remains of all four budgets (the smallest). */
export function remainingMilli(spent: Spent, budget: Budget): number {
  return Math.min(periodRemainingMilli(spent, budget), totalRemainingMilli(spent, budget));
}

/**
 * When the analyst's budget next grows: the period's end, or null when a cumulative cap is what binds (it never
 * resets, so the next period brings nothing).
 */
export function nextReset(spent: Spent, budget: Budget, periodEnd: Date): Date | null {
  return totalRemainingMilli(spent, budget) <= periodRemainingMilli(spent, budget) && totalRemainingMilli(spent, budget) < budget.perQueryMilli ? null : periodEnd;
}

export type ChargeDecision = { kind: 'charge'; costMilli: number } | { kind: 'exhausted'; remainingMilli: number };

/** Whether a release costing `costMilli` fits both budgets; never a partial charge. */
export function decideCharge(spent: Spent, costMilli: number, budget: Budget): ChargeDecision {
  const remaining = remainingMilli(spent, budget);
  return costMilli <= remaining ? { kind: 'charge', costMilli } : { kind: 'exhausted', remainingMilli: remaining };
}

/** A statistics query in canonical form: the table, its grouping, and its filters with keys sorted and empty ones removed. */
export interface StatisticsQuery {
  table: string;
  groupBy: string;
  filter: Readonly<Record<string, string | null | undefined>>;
}

/** The canonical text of a query and its key (the same question asked twice in a period gets the stored answer). */
export function canonicalQuery(query: StatisticsQuery): { text: string; key: string } {
  const filter = Object.fromEntries(
    Object.entries(query.filter)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const text = JSON.stringify({ table: query.table, groupBy: query.groupBy, filter });
  return { text, key: createHash('sha256').update(text).digest('hex') };
}
