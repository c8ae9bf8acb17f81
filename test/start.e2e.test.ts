// `npm start` and demo data, run as an operator runs it: the embedded database is seeded on its first run, PostgreSQL
// only with --seed (several starts at once seed it once and all come up), production never; a bad flag is one line.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client.ts';
import { runCommand, runToEnd } from './processes.ts';

const postgresTemplate = inject('postgresTemplate');
const onPostgres = Boolean(postgresTemplate);

let dir: string;
const databases: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-start-'));
});
afterAll(async () => {
  if (postgresTemplate && databases.length > 0) {
    const admin = postgres(postgresTemplate.url, { max: 1, onnotice: () => {} });
    for (const name of databases) await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
  await rm(dir, { recursive: true, force: true });
});

/** Ports, keys and an embedded folder of this test's own; DATABASE_URL empty unless given. */
function environment(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: '',
    PGLITE_DIR: path.join(dir, name, 'pglite'),
    KEYS_DIR: path.join(dir, name, 'keys'),
    PORT: '0',
    USERS_PORT: '0',
    EMPLOYERS_PORT: '0',
    MARKETING_PORT: '0',
    SEED_CANDIDATES: '3',
    ...extra,
  };
}

/** A new, empty PostgreSQL database on the test server (dropped after the file). */
async function emptyPostgresDatabase(): Promise<string> {
  if (!postgresTemplate) throw new Error('no PostgreSQL test server');
  const [, pid] = /_(\d+)$/.exec(postgresTemplate.database) ?? [];
  const name = `pgw_start_${pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(postgresTemplate.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  databases.push(name);
  const url = new URL(postgresTemplate.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function countCandidates(config: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string }): Promise<number> {
  const handle = await createDatabase(config);
  try {
    const rows = await handle.pglite?.query<{ n: number }>('select count(*)::int as n from users.candidates');
    if (rows) return rows.rows[0]!.n;
    const sql = postgres((config as { url: string }).url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from users.candidates`;
      return row!.n;
    } finally {
      await sql.end();
    }
  } finally {
    await handle.close();
  }
}

describe('npm start and demo data', () => {
  it('refuses a bad flag, and --seed in production, with one line and exit code 2 before opening any database', async () => {
    const cases = [
      { args: ['scripts/start.ts', '--sed'], env: environment('bad-flag'), says: /Unknown option '--sed'.*npm start -- --help/ },
      { args: ['scripts/start.ts', '--seed=yes'], env: environment('bad-value'), says: /'--seed' does not take an argument/ },
      { args: ['scripts/start.ts', 'seed'], env: environment('positional'), says: /Unexpected argument/ },
      {
        args: ['scripts/start.ts', '--seed'],
        env: environment('production-seed', { NODE_ENV: 'production', JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
        says: /--seed is refused with NODE_ENV=production/,
      },
      {
        args: ['scripts/seed.ts', '--candidates', '3'],
        env: environment('production-npm-run-seed', { NODE_ENV: 'production', JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
        says: /refused with NODE_ENV=production/,
      },
    ];
    const results = await Promise.all(cases.map((c) => runToEnd(c.args, c.env)));
    results.forEach((result, i) => {
      const { args, env, says } = cases[i]!;
      const what = `${args.join(' ')} (${env.PGLITE_DIR})`;
      expect(result.code, what).toBe(2);
      expect(result.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(result.stderr, what).toMatch(says);
      expect(result.stdout, what).not.toMatch(/Ready in|seeding/i);
      expect(existsSync(env.PGLITE_DIR!), what).toBe(false);
    });
  }, 90_000);

  it('seeds the embedded database on its first run only, and offers a development token', async () => {
    const env = environment('embedded');
    const first = runCommand(['scripts/start.ts'], env);
    await first.ready;
    expect(first.stdout).toContain('First run: seeding 3 candidates');
    expect(first.stdout).toContain('TOKEN=$(npm run --silent token -- --role candidate --sub ');
    expect(first.stdout).toMatch(/explorer {3}http:\/\/127\.0\.0\.1:\d+\/explorer/);
    expect((await first.stop()).code).toBe(0);
    expect(await countCandidates({ kind: 'pglite', dataDir: env.PGLITE_DIR! })).toBe(3);

    const second = runCommand(['scripts/start.ts'], { ...env, SEED_CANDIDATES: '5' });
    await second.ready;
    expect(second.stdout).not.toMatch(/seed/i);
    expect((await second.stop()).code).toBe(0);
    expect(await countCandidates({ kind: 'pglite', dataDir: env.PGLITE_DIR! })).toBe(3);
  }, 120_000);

  it.runIf(onPostgres)('leaves an empty PostgreSQL database empty without --seed, starts, and says how to seed it', async () => {
    const url = await emptyPostgresDatabase();
    const start = runCommand(['scripts/start.ts'], environment('postgres-no-seed', { DATABASE_URL: url }));
    await start.ready;
    const lines = start.stdout.split('\n').filter((line) => /seed/i.test(line));
    expect(lines).toEqual(['The database holds no candidates: to fill it with demo data, start with `npm start -- --seed` (or run `npm run seed`).']);
    expect((await start.stop()).code).toBe(0);
    expect(await countCandidates({ kind: 'postgres', url })).toBe(0);
  }, 120_000);

  it.runIf(onPostgres)('seeds one PostgreSQL database once when two processes start with --seed at the same time, and both come up', async () => {
    const url = await emptyPostgresDatabase();
    // Enough candidates that the second process checks while the first is still seeding.
    const starts = ['a', 'b'].map((name) => runCommand(['scripts/start.ts', '--seed'], environment(`postgres-seed-${name}`, { DATABASE_URL: url, SEED_CANDIDATES: '1000' })));
    try {
      await Promise.all(starts.map((s) => s.ready));
      const seeded = starts.filter((s) => s.stdout.includes('Seeded in '));
      expect(seeded).toHaveLength(1);
      for (const s of starts) expect(s.stderr).toBe('');
    } finally {
      const ends = await Promise.all(starts.map((s) => s.stop()));
      for (const end of ends) expect(end.code, end.stdout + end.stderr).toBe(0);
    }
    expect(await countCandidates({ kind: 'postgres', url })).toBe(1000);
  }, 120_000);
});
