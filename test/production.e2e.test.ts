// Production mode: no introspection, no landing page, no field suggestions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
