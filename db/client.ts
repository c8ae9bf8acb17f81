import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockEmbeddedDatabase, type EmbeddedDatabaseLock } from './embedded-lock.ts';
import * as schema from './schema/index.ts';

export { schema };

/** The Drizzle database every subgraph talks to, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Where the data lives: a PostgreSQL server, or an embedded PGlite (on disk or in memory). */
export type DatabaseConfig =
  | { kind: 'postgres'; url: string; maxConnections?: number }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob | File; instance?: PGlite };

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: DatabaseConfig['kind'];
  /** Runs `fn` for every SQL statement issued through `db` (used by tests to count queries). */
  onQuery(fn: (sql: string, params: readonly unknown[]) => void): () => void;
  /** Applies the committed SQL migrations (idempotent). */
  migrate(): Promise<void>;
  /** The PGlite instance, for cloning a template in tests. */
  readonly pglite?: PGlite;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The postgres.js client as Drizzle should see it: every statement as a named prepared statement.
 *
 * postgres.js prepares by default, but Drizzle's postgres-js driver passes `prepare: name !== undefined` to
 * `unsafe()` (drizzle-orm 0.45), so a query built without `.prepare(name)` runs as an unnamed statement: postgres.js
 * first asks the server to describe its parameters, then sends them (two round trips, a parse and a plan every time),
 * and no postgres.js or Drizzle option changes that. This wrapper passes postgres.js's documented `prepare: true`
 * option on every `unsafe()` call of the top-level client; it touches no private API. Our statements come from a
 * bounded set of templates (values are always parameters), so each connection prepares each shape once (postgres.js
 * keeps them per connection). Transactions (writes) keep Drizzle's default. What it is worth is measured by
 * `bench/micro-sql.ts` (bench/README.md, "Special paths"). Hot statements that can be built once use Drizzle's own
 * `.prepare(name)` instead (`preparedByIds`), which also skips building the query.
 */
function preparedStatements(client: postgres.Sql): postgres.Sql {
  const unsafe: postgres.Sql['unsafe'] = (query, params, options) => client.unsafe(query, params, { ...options, prepare: true });
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'unsafe' ? unsafe : Reflect.get(target, property, receiver)),
  });
}

/** Default configuration: `DATABASE_URL` selects PostgreSQL, otherwise PGlite under `.data/pglite`. */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dataDir: env.PGLITE_DIR ?? path.resolve('.data', 'pglite') };
}

/**
 * Opens a database handle.
 * @example const handle = await createDatabase(databaseConfigFromEnv()); await handle.migrate();
 */
export async function createDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  const listeners = new Set<(sql: string, params: readonly unknown[]) => void>();
  const logger = { logQuery: (sql: string, params: unknown[]) => listeners.forEach((fn) => fn(sql, params)) };
  const onQuery = (fn: (sql: string, params: readonly unknown[]) => void) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  };

  if (config.kind === 'postgres') {
    const client = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: 'privacy-gateway' },
    });
    const db = drizzlePostgres(preparedStatements(client), { schema, logger }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      onQuery,
      migrate: async () => {
        // One connection holding an advisory lock serializes replicas that start at once.
        const single = postgres(config.url, { max: 1, onnotice: () => {} });
        try {
          await single`select pg_advisory_lock(724242)`;
          await migratePostgres(drizzlePostgres(single), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  let pglite = config.instance;
  let lock: EmbeddedDatabaseLock | undefined;
  if (!pglite) {
    if (config.dataDir) await mkdir(config.dataDir, { recursive: true });
    // An on-disk folder serves one process only (see embedded-lock.ts); in memory there is nothing to share.
    if (config.dataDir) lock = await lockEmbeddedDatabase(config.dataDir);
    pglite = await PGlite.create({
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
      ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
    }).catch(async (error: unknown) => {
      await lock?.release();
      throw error;
    });
  }
  const instance = pglite;
  const db = drizzlePglite(instance, { schema, logger }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    onQuery,
    pglite: instance,
    migrate: () => migratePglite(drizzlePglite(instance), { migrationsFolder: MIGRATIONS_FOLDER }),
    close: async () => {
      if (!instance.closed) await instance.close();
      await lock?.release();
    },
  };
}
