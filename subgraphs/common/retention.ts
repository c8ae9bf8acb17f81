/**
 * Retention as a schedule: each subgraph server sweeps its own rules (ledger/retention.ts) once per interval. Every
 * replica runs the timer; in each interval exactly one of them sweeps — the run takes the sweeper's advisory lock
 * in its transaction, and reads under it when the sweeper last ran, so a replica whose turn comes just after
 * another's finds the run done. On PGlite (one session, whose advisory locks are re-entrant) the lock never refuses,
 * but its transactions run one at a time, so there the guard is what keeps a second server out. One JSON log line
 * per run, with counts only.
 */
import { pino, type Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { retentionCounts, runRetention, type RetentionRunResult, type RetentionTarget } from '../../ledger/retention.ts';

/** What a subgraph sweeps: its sweeper name (lock and run record) and its targets. */
export interface SubgraphRetention {
  sweeper: string;
  targets: readonly RetentionTarget[];
}

export interface RetentionScheduleOptions {
  /** Time between runs; 0 disables the schedule. */
  intervalMs: number;
  /** Time from start to the first run (default: the interval, at most five minutes, so a restarted replica sweeps soon). */
  firstRunDelayMs?: number;
  logger?: Pick<Logger, 'info' | 'error'>;
}

export interface RetentionSchedule {
  /** Runs a scheduled sweep now (with the guard), as the timer does. */
  runNow(): Promise<RetentionRunResult>;
  /** Stops the timer and waits for a run in progress. */
  close(): Promise<void>;
}

/**
 * A replica skips the run when the sweeper ran within this share of the interval: timers drift, so "a whole interval
 * ago" would skip every other run.
 */
const GUARD_SHARE = 0.9;

/** The error a log line may carry: its class and SQLSTATE, never its message (it may quote a value). */
function causeOf(error: unknown): { type: string; code?: string } {
  const code = (error as { code?: unknown })?.code;
  return { type: error instanceof Error ? error.name : typeof error, ...(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? { code } : {}) };
}

/**
 * Starts the sweeps of one subgraph on `db`.
 * @example const schedule = startRetentionSchedule(db, { sweeper: 'users', targets }, { intervalMs: 3_600_000 });
 */
export function startRetentionSchedule(db: Database, retention: SubgraphRetention, options: RetentionScheduleOptions): RetentionSchedule {
  if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs <= 0) throw new RangeError('The retention interval must be a positive number of milliseconds.');
  const logger = options.logger ?? pino({ name: 'retention', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RetentionRunResult> | undefined;
  let closed = false;

  const run = async (): Promise<RetentionRunResult> => {
    const started = performance.now();
    try {
      const result = await runRetention(db, { sweeper: retention.sweeper, targets: retention.targets, minGapMs: Math.floor(options.intervalMs * GUARD_SHARE) });
      const durationMs = Math.round(performance.now() - started);
      if (result.status === 'RAN') {
        logger.info({ sweeper: retention.sweeper, status: result.status, runId: result.runId, items: result.items.length, rows: retentionCounts(result.items), durationMs }, 'retention run');
      } else {
        logger.info({ sweeper: retention.sweeper, status: result.status, durationMs }, 'retention run skipped');
      }
      return result;
    } catch (error) {
      logger.error({ sweeper: retention.sweeper, status: 'FAILED', cause: causeOf(error) }, 'retention run failed');
      throw error;
    }
  };

  const runNow = (): Promise<RetentionRunResult> => {
    // One run at a time in this process; a tick during a run waits for it.
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (delay: number) => {
    if (closed) return;
    timer = setTimeout(() => {
      void runNow()
        .catch(() => {})
        .finally(() => schedule(options.intervalMs));
    }, delay);
    // A pending sweep never keeps the process alive; shutdown closes the schedule.
    timer.unref();
  };
  schedule(options.firstRunDelayMs ?? Math.min(options.intervalMs, 300_000));

  return {
    runNow,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
