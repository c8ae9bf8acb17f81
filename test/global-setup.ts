// Builds one migrated, seeded template database per test run; every test file starts from a copy of it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { createDatabase } from '../db/client.ts';
import { seedDatabase } from '../db/seed/index.ts';

export const TEST_SEED_CANDIDATES = 400;

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: path of the data-dir dump to load. */
    pgliteTemplate: string | null;
    /** PostgreSQL: server URL and the name of the template database to copy. */
    postgresTemplate: { url: string; database: string } | null;
  }
}

export function testDatabaseUrl(): string | null {
  return process.env.TEST_DATABASE_URL?.trim() || process.env.DATABASE_URL?.trim() || null;
}

export default async function setup(project: TestProject) {
  const url = testDatabaseUrl();
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'privacy-gateway-test-'));
    const handle = await createDatabase({ kind: 'pglite' });
    await handle.migrate();
    await seedDatabase(handle.db, { candidates: TEST_SEED_CANDIDATES });
    const dump = await handle.pglite!.dumpDataDir('none');
    const file = path.join(dir, 'template.tar');
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    await handle.close();
    project.provide('pgliteTemplate', file);
    project.provide('postgresTemplate', null);
    return async () => {
      await rm(dir, { recursive: true, force: true });
    };
  }

  const database = `pgw_template_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${database}`);
  await admin.unsafe(`create database ${database}`);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${database}`;
  const handle = await createDatabase({ kind: 'postgres', url: templateUrl.toString(), maxConnections: 4 });
  await handle.migrate();
  await seedDatabase(handle.db, { candidates: TEST_SEED_CANDIDATES });
  await handle.close();
  project.provide('pgliteTemplate', null);
  project.provide('postgresTemplate', { url, database });
  return async () => {
    const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`pgw_%_${process.pid}%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}
