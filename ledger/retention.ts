/**
 * Retention runs: the one code that writes `privacy.retention_log`, and the runner that applies the owners' rules.
 * Each owner (a subgraph over its own schema, audit/ over the provision records) describes its rules as targets — a
 * table, its subject column and an SQL condition for the rows past the rule; the runner skips every subject under a
 * legal hold, and computes a dry run and a run from the same condition, so the two agree. A run takes a PostgreSQL
 * advisory lock for its sweeper in its transaction (one replica at a time, PGlite included) and records every
 * deletion in the same transaction; the log names collections, subjects, rules and counts, never a value.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type AnyPgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { retentionLog } from '../db/schema/rights.ts';
import { RETENTION_RULES, type RetentionOwner, type RetentionRuleCode } from '../directives/retention.ts';
import { notUnderHoldSql } from './holds.ts';

type Executor = Pick<Database, 'execute' | 'insert'>;

/** One collection an owner sweeps under one rule. */
export interface RetentionTarget {
  rule: RetentionRuleCode;
  table: PgTable;
  /** The column naming the data subject of a row. */
  subject: AnyPgColumn;
  /**
   * The rows past the rule at `now` (an SQL timestamptz). It must not depend on what an earlier target of the same
   * run removes, so that the dry run (which removes nothing) finds the same rows.
   */
  due(now: SQL): SQL;
  /** The SET list that anonymises a due row instead of deleting it (and makes it no longer due). */
  anonymise?: SQL;
}

/** What a rule would remove (dry run) or removed (run), per collection and subject. */
export interface RetentionItem {
  owner: RetentionOwner;
  /** Schema-qualified table, e.g. `users.resumes`. */
  collection: string;
  subjectId: string;
  rows: number;
  rule: RetentionRuleCode;
  reason: string;
  /** True when the rows are anonymised rather than deleted. */
  anonymised: boolean;
}

export type RetentionRunResult =
  | { status: 'RAN'; runId: string; dryRun: boolean; items: RetentionItem[] }
  /** Another replica's run of the same sweeper holds the lock. */
  | { status: 'LOCKED' }
  /** The sweeper ran less than the guard ago (in another replica, or this one). */
  | { status: 'NOT_DUE'; lastRunAt: Date };

export interface RetentionRunOptions {
  /** Names the lock and the run record: one sweeper per owner server (e.g. `users`). */
  sweeper: string;
  targets: readonly RetentionTarget[];
  /** Compute what would go; delete and record nothing. */
  dryRun?: boolean;
  /** The time the rules are applied at (the database's clock when absent). */
  now?: Date;
  /** Skip the run when the sweeper's last run is younger than this (the schedule's guard; manual runs pass none). */
  minGapMs?: number;
}

/** The key space of the retention locks (the second key is the sweeper's); migrations lock the single-key 724242. */
const RETENTION_LOCK_SPACE = 724243;

/** The retention log's `rule` of the row that records a run itself. */
export const RUN_RECORD_RULE = 'RUN';

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function collectionOf(table: PgTable): string {
  const { schema, name } = getTableConfig(table);
  return `${schema ?? 'public'}.${name}`;
}

function itemsOf(target: RetentionTarget, rows: readonly { subject: string; rows: number }[]): RetentionItem[] {
  const definition = RETENTION_RULES[target.rule];
  return rows
    .map((r) => ({
      owner: definition.owner,
      collection: collectionOf(target.table),
      subjectId: r.subject,
      rows: Number(r.rows),
      rule: target.rule,
      reason: definition.reason,
      anonymised: target.anonymise !== undefined,
    }))
    .sort((a, b) => a.subjectId.localeCompare(b.subjectId));
}

/** What one target finds (dry run) or removes (run); holds are excluded here, for every rule. */
async function sweepTarget(tx: Executor, target: RetentionTarget, now: SQL, dryRun: boolean): Promise<RetentionItem[]> {
  const where = sql`(${target.due(now)}) and ${notUnderHoldSql(target.subject)}`;
  if (dryRun) {
    const result = await tx.execute(sql`select ${target.subject} as subject, count(*)::int as rows from ${target.table} where ${where} group by 1`);
    return itemsOf(target, rowsOf(result));
  }
  const changed = target.anonymise
    ? sql`update ${target.table} set ${target.anonymise} where ${where} returning ${target.subject} as subject`
    : sql`delete from ${target.table} where ${where} returning ${target.subject} as subject`;
  const result = await tx.execute(sql`with changed as (${changed}) select subject, count(*)::int as rows from changed group by 1`);
  return itemsOf(target, rowsOf(result));
}

/** Takes the sweeper's lock for the rest of the transaction; false when another transaction holds it. */
async function tryRetentionLock(tx: Executor, sweeper: string): Promise<boolean> {
  const [row] = rowsOf<{ locked: boolean }>(
    await tx.execute(sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_SPACE}, hashtext(${`retention:${sweeper}`})) as locked`),
  );
  return row?.locked === true;
}

/** When the sweeper last ran (any replica), and the database's time now. */
async function lastRun(tx: Executor, sweeper: string): Promise<{ last: Date | null; now: Date }> {
  const [row] = rowsOf<{ last: string | Date | null; now: string | Date }>(
    await tx.execute(
      sql`select max(${retentionLog.ranAt}) as last, now() as now from ${retentionLog} where ${retentionLog.owner} = ${sweeper} and ${retentionLog.rule} = ${RUN_RECORD_RULE}`,
    ),
  );
  return { last: row?.last ? new Date(row.last) : null, now: new Date(row!.now) };
}

/**
 * Applies the targets once: a dry run lists what would go; a run takes the sweeper's lock (LOCKED when another
 * replica holds it), checks the guard (NOT_DUE), removes what is due and records each item and the run itself in
 * `privacy.retention_log`, all in one transaction.
 * @example const result = await runRetention(db, { sweeper: 'users', targets: usersRetentionTargets, dryRun: true });
 */
export async function runRetention(db: Database, options: RetentionRunOptions): Promise<RetentionRunResult> {
  const dryRun = options.dryRun === true;
  const now = options.now ? sql`${options.now.toISOString()}::timestamptz` : sql`now()`;
  return db.transaction(async (tx) => {
    if (!dryRun) {
      if (!(await tryRetentionLock(tx, options.sweeper))) return { status: 'LOCKED' } as const;
      if (options.minGapMs !== undefined && options.minGapMs > 0) {
        const { last, now: dbNow } = await lastRun(tx, options.sweeper);
        if (last && dbNow.getTime() - last.getTime() < options.minGapMs) return { status: 'NOT_DUE', lastRunAt: last } as const;
      }
    }
    const items: RetentionItem[] = [];
    for (const target of options.targets) items.push(...(await sweepTarget(tx, target, now, dryRun)));
    const runId = randomUUID();
    if (!dryRun) await recordRun(tx, runId, options.sweeper, items);
    return { status: 'RAN', runId, dryRun, items } as const;
  });
}

/** Appends the run's items and the run record (in the run's transaction). */
async function recordRun(tx: Executor, runId: string, sweeper: string, items: readonly RetentionItem[]): Promise<void> {
  const total = items.reduce((sum, item) => sum + item.rows, 0);
  const rows: (typeof retentionLog.$inferInsert)[] = [
    ...items.map(({ owner, collection, subjectId, rule, rows, reason, anonymised }) => ({ runId, owner, collection, subjectId, rule, rows, reason, anonymised })),
    { runId, owner: sweeper, collection: '*', subjectId: null, rule: RUN_RECORD_RULE, rows: total, reason: `retention run of ${sweeper}: ${items.length} items, ${total} rows` },
  ];
  for (let i = 0; i < rows.length; i += 500) await tx.insert(retentionLog).values(rows.slice(i, i + 500));
}

/**
 * SQL condition: the timestamp in `column` is at least the rule's period before `now` (calendar years, as the
 * database counts them).
 * @example due: (now) => pastPeriodSql(resumes.receivedAt, 'CV_ONE_YEAR', now)
 */
export function pastPeriodSql(column: AnyPgColumn | SQL, rule: RetentionRuleCode, now: SQL): SQL {
  const period = RETENTION_RULES[rule].period;
  if (!period) throw new RangeError(`${rule} applies at once: it has no period.`);
  return sql`${column} <= ${now} - ${sql.raw(`interval '${Math.trunc(period.years)} years'`)}`;
}

/** Per rule, how many rows a run removed: the counts a log line may carry (no subject ids). */
export function retentionCounts(items: readonly RetentionItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.rule] = (counts[item.rule] ?? 0) + item.rows;
  return counts;
}
