// The house rules of the code base, checked on the migrated database and on the sources.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { openTestDatabase } from './database.ts';

describe('each subgraph owns its tables', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('no foreign key crosses two schemas', async () => {
    const rows = (await handle.db.execute(sql`
      select c.conname as name, src.nspname as from_schema, dst.nspname as to_schema
      from pg_constraint c
      join pg_class sc on sc.oid = c.conrelid join pg_namespace src on src.oid = sc.relnamespace
      join pg_class dc on dc.oid = c.confrelid join pg_namespace dst on dst.oid = dc.relnamespace
      where c.contype = 'f' and src.nspname in ('users', 'employers', 'marketing', 'privacy')
    `)) as unknown as { rows?: { name: string; from_schema: string; to_schema: string }[] } | { name: string; from_schema: string; to_schema: string }[];
    const keys = Array.isArray(rows) ? rows : (rows.rows ?? []);
    // The schema has foreign keys inside subgraphs (addresses → candidates, jobs → employers): the query sees them.
    expect(keys.some((k) => k.from_schema === 'users' && k.to_schema === 'users')).toBe(true);
    expect(keys.filter((k) => k.from_schema !== k.to_schema).map((k) => `${k.from_schema} → ${k.to_schema}: ${k.name}`)).toEqual([]);
  });
});

/** Every TypeScript source under `dir` (tests and test helpers included when `withTests`), with its text. */
function sources(dir: string, withTests = false): { path: string; text: string }[] {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.ts') && (withTests || !/\.test(ing)?\.ts$|test-fixture\.ts$/.test(p)))
    .map((p) => ({ path: `${dir}/${p}`, text: readFileSync(join(root, dir, p), 'utf8') }));
}

/** The module specifiers a source imports or re-exports. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Comments removed, so prose that names a table does not count as using it. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const SUBGRAPHS = ['users', 'employers', 'marketing'] as const;

describe('the gateway reaches subgraphs over HTTP only, and subgraphs meet through federation', () => {
  it('nothing in gateway/ imports a subgraph', () => {
    const offending = sources('gateway', true).flatMap((f) => importsOf(f.text).filter((i) => /(^|\/)subgraphs\//.test(i)).map((i) => `${f.path} → ${i}`));
    expect(offending).toEqual([]);
  });

  it('no subgraph imports another subgraph, or another subgraph\'s tables', () => {
    const offending: string[] = [];
    for (const name of SUBGRAPHS) {
      for (const f of sources(`subgraphs/${name}`, true)) {
        for (const i of importsOf(f.text)) {
          const other = SUBGRAPHS.find((o) => o !== name && (i.includes(`/${o}/`) || i.startsWith(`../${o}/`) || i.endsWith(`db/schema/${o}.ts`)));
          if (other) offending.push(`${f.path} → ${i}`);
        }
      }
    }
    expect(offending).toEqual([]);
    // The check sees imports at all: the users subgraph imports its own tables.
    expect(sources('subgraphs/users').some((f) => importsOf(f.text).some((i) => i.endsWith('db/schema/users.ts')))).toBe(true);
  });

  it('no subgraph\'s SQL names another subgraph\'s schema, and none reads the privacy tables but through ledger/ (audit/ for the accountability records)', () => {
    const offending: string[] = [];
    for (const name of SUBGRAPHS) {
      for (const f of sources(`subgraphs/${name}`)) {
        const text = code(f.text);
        for (const other of SUBGRAPHS.filter((o) => o !== name)) {
          if (new RegExp(`\\b${other}\\.(${tableNamesOf(other).join('|')})\\b`).test(text)) offending.push(`${f.path} names ${other}.*`);
        }
        if (/\bprivacy\.(consents|consent_events|subjects|recipients|access_log|access_log_checkpoints|provision_records|legal_holds|retention_log)\b/.test(text)) offending.push(`${f.path} names a privacy table in SQL`);
        if (/\.from\((consents|consentEvents|subjects|recipients|accessLog|accessLogCheckpoints|provisionRecords|legalHolds|retentionLog)\b/.test(text)) offending.push(`${f.path} queries a privacy table`);
      }
    }
    expect(offending).toEqual([]);
  });
});

/** The table names of a subgraph's PostgreSQL schema, from its Drizzle definition. */
function tableNamesOf(schema: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../db/schema/${schema}.ts`, import.meta.url)), 'utf8');
  const names = [...text.matchAll(/\.table\(\s*'([a-z_]+)'/g)].map((m) => m[1]!);
  if (names.length === 0) throw new Error(`no tables found in db/schema/${schema}.ts`);
  return names;
}
