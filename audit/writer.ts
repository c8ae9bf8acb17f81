import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { accessLog, accessLogCheckpoints, provisionRecords } from '../db/schema/audit.ts';
import { PrivacyError } from '../directives/errors.ts';
import { chainRows, entryCanonical, GENESIS_HASH, type AuditEntry, type ChainedRow, type ChainHead } from './chain.ts';
import { signCheckpoint, type CheckpointKey } from './checkpoint.ts';
import { BulkRecords, mergeProvisionRows, type Provision, type ProvisionRow } from './provision.ts';

export interface AuditWriterOptions {
  db: Database;
  /** Signs the chain's checkpoints. */
  checkpointKey: CheckpointKey;
  /** A new chain per writer (per process start) unless given. */
  chainId?: string;
  /**
   * How long the first record of a batch waits for others to join it (default 0: a batch starts in the event-loop
   * turn after its first record, and whatever arrives while it is in flight forms the next one).
   */
  batchWindowMs?: number;
  /** Rows per insert at most (default 500). */
  maxBatch?: number;
  /** How long `record` waits for its commit before it fails (default 500 ms). */
  commitTimeoutMs?: number;
  /** Records waiting at most; more are refused at once (default 20 000). */
  maxQueue?: number;
  /** A batch not settled after this long is given up and the chain head re-read (default 10 s). */
  batchDeadlineMs?: number;
  /** Interval of signed checkpoints of the chain head (default 10 s). */
  checkpointIntervalMs?: number;
  /** Interval at which repeats of bulk provision records are added to them (default 5 s). */
  repeatFlushIntervalMs?: number;
  now?: () => Date;
}

/** The writer's counters (plain numbers; the operations issue exports them). */
export interface AuditWriterMetrics {
  chainId: string;
  head: number;
  queued: number;
  batches: number;
  rows: number;
  provisionRecords: number;
  provisionRepeats: number;
  pendingRepeats: number;
  failedBatches: number;
  failedRows: number;
  timeouts: number;
  refusedQueueFull: number;
  checkpoints: number;
  failedCheckpoints: number;
  failedRepeatFlushes: number;
  batchSize: { max: number; mean: number };
  /** Over the last 1 024 batches. */
  commitLatencyMs: { p50: number; p99: number; max: number };
}

/**
 * The columns of a table a batch writes (all but generated ones), and the JSON of rows keyed by column name that
 * `json_populate_recordset` reads (dates as ISO 8601, arrays as JSON arrays, jsonb as JSON).
 */
function jsonColumns(table: PgTable, skip: readonly string[] = []) {
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => !skip.includes(key));
  return {
    names: sql.raw(columns.map(([, column]) => `"${column.name}"`).join(', ')),
    json: (rows: readonly object[]) =>
      JSON.stringify(
        rows.map((row) => {
          const record: Record<string, unknown> = {};
          for (const [key, column] of columns) record[column.name] = (row as Record<string, unknown>)[key] ?? null;
          return record;
        }),
      ),
  };
}

const LOG = jsonColumns(accessLog);
const PROVISION = jsonColumns(provisionRecords, ['id']);

/** Writes privacy events to the access log and provision records, fail closed (see createAuditWriter). */
export interface AuditWriter {
  readonly chainId: string;
  /**
   * Resolves once the entry (and the provisions that must be recorded first) is committed; rejects with
   * AUDIT_UNAVAILABLE if the write fails or takes longer than the commit timeout.
   */
  record(entry: AuditEntry, provisions?: readonly Provision[]): Promise<void>;
  /** Writes what is queued, a checkpoint of the head, and the counted repeats (for tests and shutdown). */
  flush(): Promise<void>;
  /** Refuses new records, drains the queue, writes the final checkpoint and the counted repeats. */
  close(): Promise<void>;
  metrics(): AuditWriterMetrics;
}

interface Job {
  entry: AuditEntry;
  canonical: string;
  provisions: ProvisionRow[];
  settle(error?: unknown): void;
}

const LATENCY_WINDOW = 1024;

function unavailable(): PrivacyError {
  return new PrivacyError('AUDIT_UNAVAILABLE', 'The access log could not be written; nothing personal was released.');
}

function arrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v}"`)).join(',')}}`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * A group-commit writer for one chain: records that arrive while a batch is in flight (or in the same event-loop
 * turn, or within `batchWindowMs` when one is set) go out together as one multi-row insert, with the provision records that must precede their responses in the
 * same transaction, so the cost is per batch, not per request. Batches go out one at a time, each placed after the
 * committed head (gap-free seq, hash chain). A failed batch fails every record in it and leaves the head where
 * the database has it (re-read before the next batch: the primary key on (chain, seq) keeps a late commit from
 * forking the chain). Checkpoints of the head are signed and stored at an interval and at close.
 * @example const writer = createAuditWriter({ db, checkpointKey }); await writer.record(entry, provisions);
 */
export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const db = options.db;
  const chainId = options.chainId ?? randomUUID();
  const now = options.now ?? (() => new Date());
  const batchWindowMs = options.batchWindowMs ?? 0;
  const maxBatch = options.maxBatch ?? 500;
  const commitTimeoutMs = options.commitTimeoutMs ?? 500;
  const maxQueue = options.maxQueue ?? 20_000;
  const batchDeadlineMs = options.batchDeadlineMs ?? 10_000;
  for (const [name, value] of Object.entries({ batchWindowMs, maxBatch, commitTimeoutMs, maxQueue, batchDeadlineMs })) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`Audit writer option ${name} must be a non-negative number, got ${value}.`);
  }
  if (maxBatch < 1) throw new RangeError('Audit writer option maxBatch must be at least 1.');

  const bulk = new BulkRecords();
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let headUncertain = false;
  let checkpointed = -1;
  let queue: Job[] = [];
  let pumping: Promise<void> | null = null;
  let windowTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  let startMarked = false;
  let checkpointDue = false;
  let repeatsDue = false;
  let closed = false;

  const counters = {
    batches: 0,
    rows: 0,
    provisionRecords: 0,
    provisionRepeats: 0,
    failedBatches: 0,
    failedRows: 0,
    timeouts: 0,
    refusedQueueFull: 0,
    checkpoints: 0,
    failedCheckpoints: 0,
    failedRepeatFlushes: 0,
    maxBatch: 0,
  };
  const latencies: number[] = [];
  let latencyAt = 0;

  const readHead = async (): Promise<ChainHead> => {
    const [last] = await db
      .select({ seq: accessLog.seq, hash: accessLog.hash })
      .from(accessLog)
      .where(eq(accessLog.chainId, chainId))
      .orderBy(desc(accessLog.seq))
      .limit(1);
    return last ?? { seq: 0, hash: GENESIS_HASH };
  };

  // Drizzle's queries run on each `then`: the work is made one native promise first, so it runs once.
  const withDeadline = <T>(lazy: PromiseLike<T>): Promise<T> => {
    const work = Promise.resolve(lazy);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('audit batch deadline passed')), batchDeadlineMs);
    });
    // The abandoned write may still settle later; its outcome is read back from the database (readHead).
    work.catch(() => {});
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  };

  // Each batch is one statement per table with the rows as one JSON parameter (json_populate_recordset): the SQL
  // text never changes, so it is prepared once per connection, and no query is built per batch (building Drizzle's
  // multi-row insert cost about as much as the rest of the writer: see bench/README.md).
  const insertLog = (into: Pick<Database, 'execute'>, rows: ChainedRow[]) =>
    into.execute(sql`insert into ${accessLog} (${LOG.names}) select ${LOG.names} from json_populate_recordset(null::${accessLog}, ${LOG.json(rows)}::json)`);
  const insertBatch = async (rows: ChainedRow[], provisions: ProvisionRow[]) => {
    if (provisions.length === 0) {
      await insertLog(db, rows);
      return;
    }
    await db.transaction(async (tx) => {
      await insertLog(tx, rows);
      await tx.execute(sql`
        insert into ${provisionRecords} (${PROVISION.names})
        select ${PROVISION.names} from json_populate_recordset(null::${provisionRecords}, ${PROVISION.json(provisions)}::json)
        on conflict (record_key) do update set
          provision_count = ${provisionRecords}.provision_count + excluded.provision_count,
          last_provided_at = greatest(${provisionRecords}.last_provided_at, excluded.last_provided_at)`);
    });
  };

  const writeBatch = async (jobs: Job[]) => {
    const provisions = mergeProvisionRows(jobs.flatMap((job) => job.provisions));
    const started = performance.now();
    try {
      if (headUncertain) {
        head = await withDeadline(readHead());
        headUncertain = false;
      }
      const rows = chainRows(chainId, head, jobs.map((job) => job.entry), jobs.map((job) => job.canonical));
      await withDeadline(insertBatch(rows, provisions));
      const last = rows[rows.length - 1]!;
      head = { seq: last.seq, hash: last.hash };
      bulk.committed(provisions);
      const latency = performance.now() - started;
      if (latencies.length < LATENCY_WINDOW) latencies.push(latency);
      else latencies[latencyAt++ % LATENCY_WINDOW] = latency;
      counters.batches++;
      counters.rows += rows.length;
      counters.provisionRecords += provisions.length;
      counters.maxBatch = Math.max(counters.maxBatch, rows.length);
      for (const job of jobs) job.settle();
    } catch {
      // Nothing is known to be committed: the next batch starts from the head the database has.
      headUncertain = true;
      counters.failedBatches++;
      counters.failedRows += jobs.length;
      for (const job of jobs) job.settle(unavailable());
    }
  };

  const writeCheckpoint = async (final: boolean) => {
    if (headUncertain) {
      head = await withDeadline(readHead());
      headUncertain = false;
    }
    if (head.seq === checkpointed && !final) return;
    const claim = { chainId, seq: head.seq, hash: head.hash, final, signedAt: now() };
    const signature = await signCheckpoint(options.checkpointKey, claim);
    await withDeadline(
      db
        .insert(accessLogCheckpoints)
        .values({ ...claim, signature })
        .onConflictDoNothing(),
    );
    checkpointed = head.seq;
    counters.checkpoints++;
  };

  const flushRepeats = async () => {
    const repeats = bulk.takeRepeats();
    if (repeats.size === 0) return;
    const keys = [...repeats.keys()];
    try {
      await withDeadline(
        db.execute(sql`update ${provisionRecords} p
          set provision_count = p.provision_count + v.n, last_provided_at = greatest(p.last_provided_at, v.t)
          from unnest(${arrayLiteral(keys)}::text[], ${arrayLiteral(keys.map((k) => repeats.get(k)!.count))}::int[],
                      ${arrayLiteral(keys.map((k) => repeats.get(k)!.last.toISOString()))}::timestamptz[]) as v(k, n, t)
          where p.record_key = v.k`),
      );
      for (const repeat of repeats.values()) counters.provisionRepeats += repeat.count;
    } catch {
      counters.failedRepeatFlushes++;
      bulk.restore(repeats);
    }
  };

  const pump = async () => {
    if (!startMarked) {
      // The chain's start (seq 0): a chain that is found without rows was still begun by this process.
      await writeCheckpoint(false).then(
        () => (startMarked = true),
        () => counters.failedCheckpoints++,
      );
    }
    for (;;) {
      if (queue.length > 0) {
        const jobs = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
        queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
        await writeBatch(jobs);
        continue;
      }
      if (checkpointDue) {
        checkpointDue = false;
        await writeCheckpoint(false).catch(() => {
          counters.failedCheckpoints++;
        });
        continue;
      }
      if (repeatsDue) {
        repeatsDue = false;
        await flushRepeats();
        continue;
      }
      return;
    }
  };

  const kick = () => {
    if (pumping) return;
    pumping = pump().finally(() => {
      pumping = null;
      // Work that arrived after the loop's last look.
      if (queue.length > 0 || checkpointDue || repeatsDue) kick();
    });
  };

  const schedule = () => {
    if (pumping || windowTimer) return;
    const start = () => {
      windowTimer = null;
      kick();
    };
    // No window: the batch waits only for the records of this event-loop turn (one idle request pays no delay).
    windowTimer = batchWindowMs === 0 ? setImmediate(start) : setTimeout(start, batchWindowMs);
  };

  const checkpointTimer = setInterval(() => {
    checkpointDue = true;
    kick();
  }, options.checkpointIntervalMs ?? 10_000).unref();
  const repeatTimer = setInterval(() => {
    repeatsDue = true;
    kick();
  }, options.repeatFlushIntervalMs ?? 5_000).unref();

  const drain = async () => {
    if (windowTimer) {
      if (batchWindowMs === 0) clearImmediate(windowTimer as NodeJS.Immediate);
      else clearTimeout(windowTimer as NodeJS.Timeout);
      windowTimer = null;
    }
    while (pumping || queue.length > 0) {
      kick();
      await pumping;
    }
  };

  return {
    chainId,
    record(entry, provisions = []) {
      if (closed) return Promise.reject(unavailable());
      // Computed here, once; an entry that has no canonical form is refused alone, before it could fail a batch of others.
      let canonical: string;
      try {
        canonical = entryCanonical(entry);
      } catch {
        return Promise.reject(unavailable());
      }
      if (queue.length >= maxQueue) {
        counters.refusedQueueFull++;
        return Promise.reject(unavailable());
      }
      const first = bulk.admit(provisions);
      return new Promise<void>((resolve, reject) => {
        let done = false;
        const timer = setTimeout(() => {
          if (done) return;
          done = true;
          counters.timeouts++;
          reject(unavailable());
        }, commitTimeoutMs);
        queue.push({
          entry,
          canonical,
          provisions: first,
          settle(error) {
            if (done) return;
            done = true;
            clearTimeout(timer);
            if (error) reject(error);
            else resolve();
          },
        });
        schedule();
      });
    },
    async flush() {
      await drain();
      checkpointDue = true;
      repeatsDue = true;
      kick();
      await drain();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(checkpointTimer);
      clearInterval(repeatTimer);
      await drain();
      await flushRepeats();
      // A writer that never wrote began no chain: there is nothing to close.
      if (!startMarked && head.seq === 0 && !headUncertain) return;
      await writeCheckpoint(true).catch(() => {
        counters.failedCheckpoints++;
      });
    },
    metrics() {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        chainId,
        head: head.seq,
        queued: queue.length,
        ...counters,
        pendingRepeats: bulk.pendingRepeats,
        batchSize: { max: counters.maxBatch, mean: counters.batches === 0 ? 0 : counters.rows / counters.batches },
        commitLatencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      } as AuditWriterMetrics;
    },
  };
}
