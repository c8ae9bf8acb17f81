import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../db/client.ts';

/** A test database; `reopen` gives another handle on the same data (another pool on PostgreSQL, as a replica has). */
export interface TestDatabase extends DatabaseHandle {
  reopen(): Promise<DatabaseHandle>;
  /** On PostgreSQL: the copy's URL, for a test that starts other processes on it. */
  url?: string;
}

/**
 * Opens a private copy of the seeded test template: PGlite loaded from the dump, or a PostgreSQL database
 * created from the template database. Closing it drops the copy.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const pgliteTemplate = inject('pgliteTemplate');
  if (pgliteTemplate) {
    const dump = await readFile(pgliteTemplate);
    const handle = await createDatabase({ kind: 'pglite', loadDataDir: new Blob([dump]) });
    // The embedded database has one connection in one process: another handle shares it and closes nothing.
    return Object.assign(handle, { reopen: async () => ({ ...handle, close: async () => {} }) });
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('The test global setup did not run.');
  const [, pid] = /_(\d+)$/.exec(template.database) ?? [];
  const name = `pgw_copy_${pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(template.url, { max: 1, onnotice: () => {} });
  try {
    // Concurrent copies of one template can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${template.database}`);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(template.url);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 5 });
  return {
    ...handle,
    url: url.toString(),
    reopen: () => createDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 5 }),
    onQuery: handle.onQuery,
    migrate: handle.migrate,
    close: async () => {
      await handle.close();
      const cleanup = postgres(template.url, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await cleanup.end();
    },
  };
}
