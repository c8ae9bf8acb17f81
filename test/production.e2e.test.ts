// Production mode: no introspection, no landing page, no field suggestions; `npm start` offers no development token
// and seeds nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../db/client.ts';
import { runCommand } from './processes.ts';
import { startTestSystem, type TestSystem } from './system.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem({ production: true });
});
afterAll(async () => {
  await t?.close();
});

describe('production mode', () => {
  it('refuses introspection', async () => {
    const res = await t.query('{ __schema { types { name } } }', { token: await t.token({ role: 'analyst' }) });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(res.body)).not.toContain('Candidate');
  });

  it('does not suggest field names', async () => {
    const res = await t.query('{ jobs(first: 1) { nodes { titl } } }', { token: await t.token({ role: 'analyst' }) });
    expect(res.body.errors?.[0]?.message).toMatch(/Cannot query field "titl"/);
    expect(res.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('marks every answer, data or error, as not storable by browsers and proxies', async () => {
    const token = await t.token({ role: 'support' });
    const ok = await fetch(t.system.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'SUPPORT' },
      body: JSON.stringify({ query: '{ jobs(first: 1) { nodes { title } } }' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const denied = await fetch(t.system.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('cache-control')).toBe('no-store');
    const malformed = await fetch(t.system.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('cache-control')).toBe('no-store');
  });

  it('serves no landing page and no explorer', async () => {
    const res = await fetch(t.system.gateway.url, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/sandbox|embeddable-explorer/i);
    expect((await fetch(new URL('/explorer', t.system.gateway.url))).status).toBe(404);
    expect((await fetch(new URL('/explorer/graphiql.min.js', t.system.gateway.url))).status).toBe(404);
  });
});

describe('npm start with a real issuer', () => {
  it('offers no development token (npm run token refuses to sign then) and, in production, seeds nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-production-start-'));
    try {
      const env = (name: string, extra: Record<string, string>) => ({
        DATABASE_URL: '',
        PGLITE_DIR: path.join(dir, name, 'pglite'),
        KEYS_DIR: path.join(dir, name, 'keys'),
        PORT: '0',
        USERS_PORT: '0',
        EMPLOYERS_PORT: '0',
        MARKETING_PORT: '0',
        SEED_CANDIDATES: '3',
        // Unreachable on purpose: the gateway starts and answers 503 until the keys can be loaded.
        JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        ...extra,
      });
      const production = runCommand(['scripts/start.ts'], env('production', { NODE_ENV: 'production' }));
      const issuerOnly = runCommand(['scripts/start.ts'], env('jwks-only', {}));
      try {
        await Promise.all([production.ready, issuerOnly.ready]);
        for (const started of [production, issuerOnly]) {
          expect(started.stdout).not.toContain('npm run');
          expect(started.stdout).toContain('Tokens come from the issuer whose keys JWKS_URL serves');
          expect(started.stdout).not.toContain('127.0.0.1:9');
        }
        expect(production.stdout).toContain('The database holds no candidates (NODE_ENV=production never seeds demo data).');
        expect(production.stdout).not.toMatch(/explorer/);
        expect(issuerOnly.stdout).toContain('First run: seeding 3 candidates');
      } finally {
        await Promise.all([production.stop(), issuerOnly.stop()]);
      }
      const handle = await createDatabase({ kind: 'pglite', dataDir: path.join(dir, 'production', 'pglite') });
      try {
        const { rows } = await handle.pglite!.query<{ n: number }>('select count(*)::int as n from users.candidates');
        expect(rows[0]!.n).toBe(0);
      } finally {
        await handle.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
