/**
 * The privacy budget's store: the only code that writes `privacy.privacy_budgets` and `privacy.statistics_releases`.
 * A release charges ε and stores its noisy answer in one transaction, with the global and the analyst's budget rows
 * locked (FOR UPDATE), so concurrent queries cannot overspend; a query that fails rolls back, so it costs nothing;
 * the same query (canonical form) in the same period is answered from the stored release at no new cost.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { privacyBudgets, statisticsReleases } from '../db/schema/statistics.ts';
import {
  budgetPeriod,
  canonicalQuery,
  decideCharge,
  fromMilliEpsilon,
  nextReset,
  remainingMilli,
  TOTAL_PERIOD,
  type Spent,
  type Budget,
  type StatisticsQuery,
} from '../directives/statistics/accountant.ts';
import { PrivacyError } from '../directives/errors.ts';
import { releaseCounts, type ReleasedCell, type TrueCell } from '../directives/statistics/mechanism.ts';
import { createExactRandom, type ExactRandom } from '../directives/statistics/sampler.ts';

type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

/** The owner of the global budget row (all analysts together). */
export const GLOBAL_BUDGET_OWNER = 'global';

/** The owner of one analyst's budget row: prefixed, so no subject id can name the global row. */
export function analystBudgetOwner(analyst: string): string {
  return `analyst:${analyst}`;
}

/** One analyst's budget in a period, as the analyst sees it. */
export interface BudgetStanding {
  epsilonSpent: number;
  epsilonRemaining: number;
  /** Null when a cumulative cap is spent: nothing resets. */
  resetsAt: Date | null;
}

/** What a release recorded: what the audit log names (the release id, who, which query, the ε charged, the period). */
export interface StatisticsRelease {
  releaseId: number;
  analyst: string;
  queryKey: string;
  query: string;
  /** ε charged by this request: 0 when the stored answer of an earlier release was returned. */
  epsilon: number;
  /** ε the released answer was produced with (its accuracy). */
  answerEpsilon: number;
  period: string;
  reused: boolean;
  releasedAt: Date;
}

export interface ReleaseRequest {
  analyst: string;
  query: StatisticsQuery;
  /** The L1 sensitivity of the table (the most cells one subject can reach). */
  sensitivity: number;
  budget: Budget;
  now?: Date;
  /** The true counts of every cell of the known domain, computed in the release's transaction. */
  count(tx: Executor): Promise<TrueCell[]>;
  /** For tests: a fixed byte stream; the release path uses node:crypto. */
  random?: ExactRandom;
}

export interface ReleaseResult {
  cells: ReleasedCell[];
  release: StatisticsRelease;
  standing: BudgetStanding;
}

async function spentOf(tx: Executor, owner: string, period: string, lock: boolean): Promise<number> {
  const query = tx
    .select({ spent: privacyBudgets.epsilonSpentMilli })
    .from(privacyBudgets)
    .where(and(eq(privacyBudgets.owner, owner), eq(privacyBudgets.period, period)));
  const [row] = await (lock ? query.for('update') : query);
  return row?.spent ?? 0;
}

/**
 * Releases a table of noisy counts, or its stored answer, charging the analyst's budget; throws
 * PRIVACY_BUDGET_EXHAUSTED (with what remains and when it resets) when the charge does not fit.
 * @example await releaseStatistics(db, { analyst, query, sensitivity: 1, budget, count: (tx) => countByPrefecture(tx) });
 */
export async function releaseStatistics(db: Database, request: ReleaseRequest): Promise<ReleaseResult> {
  const now = request.now ?? new Date();
  const { period, resetsAt } = budgetPeriod(now);
  const { text, key } = canonicalQuery(request.query);
  const { budget, analyst } = request;
  const owner = analystBudgetOwner(analyst);
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Executor;
    // Global rows first, then the analyst's, the period before the total: every release locks in this order, so none deadlocks.
    const rows = [
      [GLOBAL_BUDGET_OWNER, period],
      [GLOBAL_BUDGET_OWNER, TOTAL_PERIOD],
      [owner, period],
      [owner, TOTAL_PERIOD],
    ] as const;
    for (const [o, p] of rows) await tx.insert(privacyBudgets).values({ owner: o, period: p }).onConflictDoNothing();
    const globalMilli = await spentOf(tx, GLOBAL_BUDGET_OWNER, period, true);
    const globalTotalMilli = await spentOf(tx, GLOBAL_BUDGET_OWNER, TOTAL_PERIOD, true);
    const analystMilli = await spentOf(tx, owner, period, true);
    const analystTotalMilli = await spentOf(tx, owner, TOTAL_PERIOD, true);
    const before: Spent = { analystMilli, globalMilli, analystTotalMilli, globalTotalMilli };
    const [stored] = await tx
      .select()
      .from(statisticsReleases)
      .where(and(eq(statisticsReleases.period, period), eq(statisticsReleases.queryKey, key)));
    if (stored) {
      return {
        cells: stored.answer as ReleasedCell[],
        release: { releaseId: stored.id, analyst, queryKey: key, query: text, epsilon: 0, answerEpsilon: fromMilliEpsilon(stored.epsilonMilli), period, reused: true, releasedAt: now },
        standing: standingOf(before, budget, resetsAt),
      };
    }
    const decision = decideCharge(before, budget.perQueryMilli, budget);
    if (decision.kind === 'exhausted') throw budgetExhausted(decision.remainingMilli, nextReset(before, budget, resetsAt));
    const cells = releaseCounts(
      { cells: await request.count(tx), sensitivity: request.sensitivity, epsilonMilli: decision.costMilli },
      request.random ?? createExactRandom(),
    );
    const [row] = await tx
      .insert(statisticsReleases)
      .values({ period, queryKey: key, query: text, analyst, epsilonMilli: decision.costMilli, answer: cells, releasedAt: now })
      .returning({ id: statisticsReleases.id });
    for (const [o, p] of rows) {
      await tx
        .update(privacyBudgets)
        .set({ epsilonSpentMilli: sql`${privacyBudgets.epsilonSpentMilli} + ${decision.costMilli}`, updatedAt: now })
        .where(and(eq(privacyBudgets.owner, o), eq(privacyBudgets.period, p)));
    }
    const c = decision.costMilli;
    const spent: Spent = { analystMilli: analystMilli + c, globalMilli: globalMilli + c, analystTotalMilli: analystTotalMilli + c, globalTotalMilli: globalTotalMilli + c };
    return {
      cells,
      release: { releaseId: row!.id, analyst, queryKey: key, query: text, epsilon: fromMilliEpsilon(decision.costMilli), answerEpsilon: fromMilliEpsilon(decision.costMilli), period, reused: false, releasedAt: now },
      standing: standingOf(spent, budget, resetsAt),
    };
  });
}

function standingOf(spent: Spent, budget: Budget, periodEnd: Date): BudgetStanding {
  return {
    epsilonSpent: fromMilliEpsilon(spent.analystMilli),
    epsilonRemaining: fromMilliEpsilon(remainingMilli(spent, budget)),
    resetsAt: nextReset(spent, budget, periodEnd),
  };
}

/** The client-safe error of a spent budget: what remains and when it resets, nothing else. */
export function budgetExhausted(remaining: number, resetsAt: Date | null): PrivacyError {
  return new PrivacyError('PRIVACY_BUDGET_EXHAUSTED', 'The privacy budget for statistics is spent for this period.', {
    epsilonRemaining: fromMilliEpsilon(remaining),
    resetsAt: resetsAt?.toISOString() ?? null,
  });
}

/** An analyst's budget in the period of `now` (what `privacyBudget` answers). */
export async function readBudgetStanding(db: Pick<Database, 'select'>, analyst: string, budget: Budget, now = new Date()): Promise<BudgetStanding> {
  const { period, resetsAt } = budgetPeriod(now);
  const tx = db as unknown as Executor;
  const owner = analystBudgetOwner(analyst);
  const spent: Spent = {
    analystMilli: await spentOf(tx, owner, period, false),
    globalMilli: await spentOf(tx, GLOBAL_BUDGET_OWNER, period, false),
    analystTotalMilli: await spentOf(tx, owner, TOTAL_PERIOD, false),
    globalTotalMilli: await spentOf(tx, GLOBAL_BUDGET_OWNER, TOTAL_PERIOD, false),
  };
  return standingOf(spent, budget, resetsAt);
}
