/**
 * Helpers shared by the three subgraphs: a per-request batch loader (no N+1), id validation,
 * keyset pagination over (timestamp, uuid) and small mapping helpers.
 *
 * Lives under `subgraphs/users/` for now; it imports nothing subgraph-specific and can move to
 * `subgraphs/common/` unchanged.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import type { CursorPosition } from '../common/pagination.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID: anything else must never reach a `::uuid` cast. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Schedules `fn` after every promise job queued so far (the DataLoader trick): one batch per "wave" of resolvers. */
function afterCurrentJobs(fn: () => void): void {
  void Promise.resolve().then(() => process.nextTick(fn));
}

/**
 * Collects keys requested in one tick and resolves them with a single batch call.
 * Request-scoped: it caches results for the life of one request only, so nothing outlives a consent change.
 */
export class BatchLoader<V> {
  private readonly cache = new Map<string, Promise<V>>();
  private queue: { key: string; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly batch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>,
    private readonly missing: () => V,
  ) {}

  load(key: string): Promise<V> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      if (this.queue.length === 0) afterCurrentJobs(() => void this.dispatch());
      this.queue.push({ key, resolve, reject });
    });
    this.cache.set(key, promise);
    return promise;
  }

  loadMany(keys: readonly string[]): Promise<V[]> {
    return Promise.all(keys.map((key) => this.load(key)));
  }

  /** Seeds the cache with a value already loaded (e.g. by a query that returned whole rows). */
  prime(key: string, value: V): void {
    if (!this.cache.has(key)) this.cache.set(key, Promise.resolve(value));
  }

  private async dispatch(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    const keys = [...new Set(queue.map((entry) => entry.key))];
    try {
      const found = await this.batch(keys);
      for (const entry of queue) entry.resolve(found.has(entry.key) ? (found.get(entry.key) as V) : this.missing());
    } catch (error) {
      for (const entry of queue) {
        this.cache.delete(entry.key);
        entry.reject(error);
      }
    }
  }
}

const loaders = new WeakMap<object, Map<string, BatchLoader<unknown>>>();

/**
 * The loader called `name` for this request (keyed by the context object), created on first use.
 * Loaders whose batch depends on the caller may rely on the caller being fixed for the request.
 */
export function loaderFor<V>(
  context: object,
  name: string,
  batch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>,
  missing: () => V,
): BatchLoader<V> {
  let byName = loaders.get(context);
  if (!byName) {
    byName = new Map();
    loaders.set(context, byName);
  }
  let loader = byName.get(name) as BatchLoader<V> | undefined;
  if (!loader) {
    loader = new BatchLoader<V>(batch, missing);
    byName.set(name, loader as BatchLoader<unknown>);
  }
  return loader;
}

/** A loader of at most one row per key; unknown or malformed ids resolve to null without a query. */
export function rowLoader<R>(
  context: object,
  name: string,
  fetch: (ids: string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
): BatchLoader<R | null> {
  return loaderFor<R | null>(
    context,
    name,
    async (keys) => {
      const ids = keys.filter(isUuid);
      const rows = ids.length > 0 ? await fetch(ids) : [];
      return new Map(rows.map((row) => [keyOf(row), row]));
    },
    () => null,
  );
}

/** A loader of every row per key (in the order `fetch` returns them); unknown keys resolve to []. */
export function groupLoader<R>(
  context: object,
  name: string,
  fetch: (ids: string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
): BatchLoader<R[]> {
  return loaderFor<R[]>(
    context,
    name,
    async (keys) => {
      const ids = keys.filter(isUuid);
      const rows = ids.length > 0 ? await fetch(ids) : [];
      const grouped = new Map<string, R[]>();
      for (const row of rows) {
        const key = keyOf(row);
        const group = grouped.get(key);
        if (group) group.push(row);
        else grouped.set(key, [row]);
      }
      return grouped;
    },
    () => [],
  );
}

/** `= any($1::uuid[])` for a list of validated ids. */
export function uuidIn(column: AnyPgColumn, ids: readonly string[]): SQL {
  return sql`${column} = any(${`{${ids.join(',')}}`}::uuid[])`;
}

/** A timestamptz rendered at full (microsecond) precision in UTC, so a cursor round-trips exactly. */
export function timestampKey(column: AnyPgColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function badCursor(): GraphQLError {
  return new GraphQLError('"after" is not a valid cursor.', { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
}

/**
 * Keyset condition for a list ordered by `(timestamp desc, id desc)`: rows strictly after the cursor.
 * A cursor that does not have the expected shape is a client error, never a SQL error.
 */
export function afterTimestampCursor(timestamp: AnyPgColumn, id: AnyPgColumn, cursor: CursorPosition | null): SQL | undefined {
  if (!cursor) return undefined;
  if (!TIMESTAMP_KEY.test(cursor.key) || !isUuid(cursor.id)) throw badCursor();
  return sql`(${timestamp}, ${id}) < (${cursor.key}::timestamptz, ${cursor.id}::uuid)`;
}

/** Keyset condition for a list ordered by `id asc`. */
export function afterIdCursor(id: AnyPgColumn, cursor: CursorPosition | null): SQL | undefined {
  if (!cursor) return undefined;
  if (!isUuid(cursor.id)) throw badCursor();
  return sql`${id} > ${cursor.id}::uuid`;
}

export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

/**
 * Runs a write and turns any unexpected failure into a generic INTERNAL_SERVER_ERROR: driver errors
 * quote the statement and its parameters (a cover letter, a name), which must never reach a client.
 * Only the SQLSTATE is kept, for operators.
 */
export async function withoutLeaks<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    throw new GraphQLError(`Could not ${what}.`, { extensions: { code: 'INTERNAL_SERVER_ERROR', sqlState: sqlStateOf(error) } });
  }
}

function sqlStateOf(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}
