/** Per-request batch loaders shared by the subgraphs (no N+1 queries), built on `dataloader`. */
import { inSpan } from '../../telemetry/tracing.ts';
import DataLoader from 'dataloader';
import { isUuid } from '../../directives/protocol/ids.ts';

/**
 * A DataLoader over string keys that resolves every key (`missing()` for one the batch did not return) and answers
 * values it already holds without a promise (`loadNow`). DataLoader collects the keys requested in one tick and
 * resolves them with a single batch call; its cache is this instance's, and an instance lives for one request
 * (`loaderFor`), so nothing outlives a consent change. A key whose batch failed is forgotten (DataLoader clears it).
 */
export class BatchLoader<V> extends DataLoader<string, V> {
  /** The promise per key: DataLoader's cache, kept here to tell whether a key was already asked for. */
  private readonly promises: Map<string, Promise<V>>;
  /** Values already known (primed or loaded), for answering without a promise. */
  private readonly known: Map<string, V>;

  constructor(batch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>, missing: () => V) {
    const promises = new Map<string, Promise<V>>();
    const known = new Map<string, V>();
    super(
      async (keys) => {
        const found = await batch(keys);
        return keys.map((key) => {
          const value = found.has(key) ? (found.get(key) as V) : missing();
          known.set(key, value);
          return value;
        });
      },
      { cacheMap: promises },
    );
    this.promises = promises;
    this.known = known;
  }

  /**
   * The value itself when it is already known (primed, or loaded earlier in the request), else `load(key)`:
   * a resolver that returns a plain value lets the executor finish its object without waiting a turn.
   */
  loadNow(key: string): V | Promise<V> {
    return this.known.has(key) ? (this.known.get(key) as V) : this.load(key);
  }

  /** Seeds the cache with a value already loaded (e.g. by a query that returned whole rows); a key already asked for keeps its own. */
  override prime(key: string, value: V | PromiseLike<V> | Error): this {
    if (this.promises.has(key)) return this;
    super.prime(key, value);
    if (!(value instanceof Error) && !isPromiseLike(value)) this.known.set(key, value);
    return this;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
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
    // One span per batch (one statement, usually): the loader's name and the number of keys, never a key.
    const traced = (keys: readonly string[]) => inSpan('db.load', { attributes: { 'db.loader': name, 'db.keys': keys.length } }, () => batch(keys));
    loader = new BatchLoader<V>(traced, missing);
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
