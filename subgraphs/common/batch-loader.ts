/** A per-request batch loader shared by the subgraphs (no N+1 queries). */
import { isUuid } from '../../directives/protocol/ids.ts';

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
  /** Values already known (primed or loaded), for answering without a promise. */
  private readonly known = new Map<string, V>();
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

  /**
   * The value itself when it is already known (primed, or loaded earlier in the request), else `load(key)`:
   * a resolver that returns a plain value lets the executor finish its object without waiting a turn.
   */
  loadNow(key: string): V | Promise<V> {
    return this.known.has(key) ? (this.known.get(key) as V) : this.load(key);
  }

  loadMany(keys: readonly string[]): Promise<V[]> {
    return Promise.all(keys.map((key) => this.load(key)));
  }

  /** Seeds the cache with a value already loaded (e.g. by a query that returned whole rows). */
  prime(key: string, value: V): void {
    if (this.cache.has(key)) return;
    this.cache.set(key, Promise.resolve(value));
    this.known.set(key, value);
  }

  private async dispatch(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    const keys = [...new Set(queue.map((entry) => entry.key))];
    try {
      const found = await this.batch(keys);
      for (const entry of queue) {
        const value = found.has(entry.key) ? (found.get(entry.key) as V) : this.missing();
        this.known.set(entry.key, value);
        entry.resolve(value);
      }
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
