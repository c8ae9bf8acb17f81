// The gateway core and its plugins over real HTTP: what a plugin that comes after enforcement sees, that a core
// without purpose binding answers nobody, that a plugin can refuse a supergraph and add routes, and the HTTP edge.
import type { ApolloServerPlugin } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { GatewayContext, type PrivacyOutcome } from '../gateway/core/context.ts';
import { startGatewayCore } from '../gateway/core/gateway.ts';
import type { GatewayPlugin } from '../gateway/core/plugin.ts';
import { useAuthentication } from '../gateway/plugins/authentication/index.ts';
import { useCallerAssertion } from '../gateway/plugins/caller-assertion/index.ts';
import { postGraphQL, startTestSystem, type TestSystem } from './system.ts';

interface Seen {
  outcome: PrivacyOutcome | undefined;
  subgraphs: string[];
}

/** A plugin after the privacy plugins: it records what enforcement published and which subgraphs were called. */
function probe(seen: Seen[]): GatewayPlugin {
  const calls = new WeakMap<GatewayContext, string[]>();
  const apollo: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          seen.push({ outcome: contextValue.privacy, subgraphs: calls.get(contextValue) ?? [] });
        },
      };
    },
  };
  return {
    name: 'probe',
    onSubgraphRequest({ subgraph, context }) {
      const list = calls.get(context) ?? [];
      list.push(subgraph);
      calls.set(context, list);
    },
    apolloPlugins: () => [apollo],
    routes(app) {
      app.get('/probe', async () => ({ probe: 'ok' }));
    },
  };
}

function plain(map: ReadonlyMap<string, ReadonlySet<string | null>> | undefined): Record<string, (string | null)[]> {
  return Object.fromEntries([...(map ?? new Map())].map(([k, v]) => [k, [...v].sort()]));
}

let t: TestSystem;
const seen: Seen[] = [];
beforeAll(async () => {
  t = await startTestSystem({ gateway: { plugins: [probe(seen)] } });
});
afterAll(async () => {
  await t?.close();
});

async function observed<T>(run: () => Promise<T>): Promise<{ result: T; seen: Seen }> {
  const before = seen.length;
  const result = await run();
  expect(seen.length).toBe(before + 1);
  return { result, seen: seen[before]! };
}

describe('context.privacy, as a later plugin sees it', () => {
  it('names the coordinates released, about whom, and what was masked — never a value', async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const { result, seen } = await observed(() =>
      t.query('query($id: ID!) { candidate(id: $id) { id fullName email birthDate } }', { token, variables: { id: DEMO_IDS.openCandidate } }),
    );
    expect(result.body.errors).toBeUndefined();
    const candidate = result.body.data!.candidate;
    expect(candidate.id).toBe(DEMO_IDS.openCandidate);
    const outcome = seen.outcome!;
    expect(outcome).toMatchObject({ operationType: 'query', rejected: false, denied: [] });
    expect(outcome.disclosure!.purpose).toBe('EMPLOYER_DISCLOSURE');
    expect(outcome.disclosure!.recipient).toBe(DEMO_IDS.employer);
    const released = plain(outcome.disclosure!.released);
    expect(released['Candidate.fullName']).toEqual([DEMO_IDS.openCandidate]);
    expect(released['Candidate.email']).toEqual([DEMO_IDS.openCandidate]);
    expect(outcome.masked.map((m) => [m.coordinate, m.strategy])).toEqual([['Candidate.birthDate', 'AGE_BAND']]);
    // The outcome names coordinates and subjects only.
    const text = JSON.stringify({ ...outcome, disclosure: { released, withheld: plain(outcome.disclosure!.withheld as never) } });
    for (const value of [candidate.fullName, candidate.email]) expect(text).not.toContain(value);
    expect(seen.subgraphs).toContain('users');
  });

  it('names the coordinates a purpose does not allow, and releases nothing about a subject without consent', async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const { result, seen } = await observed(() =>
      t.query('query($id: ID!) { candidate(id: $id) { id fullName residenceCard { number } } }', {
        token,
        variables: { id: DEMO_IDS.withdrawnFromEmployerCandidate },
      }),
    );
    expect(result.status).toBe(200);
    const outcome = seen.outcome!;
    expect(outcome.denied).toEqual(['ResidenceCard.number']);
    expect(plain(outcome.disclosure!.released)['Candidate.fullName'] ?? []).not.toContain(DEMO_IDS.withdrawnFromEmployerCandidate);
  });

  it('says so when strict mode refused the operation whole', async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const { result, seen } = await observed(() =>
      t.query('query($id: ID!) { candidate(id: $id) { id residenceCard { number } } }', {
        token,
        variables: { id: DEMO_IDS.openCandidate },
        headers: { 'x-privacy-mode': 'strict' },
      }),
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('OPERATION_REJECTED');
    expect(seen.outcome).toMatchObject({ rejected: true, disclosure: null, denied: ['ResidenceCard.number'] });
    expect(seen.subgraphs).toEqual([]);
  });

  it('is never seen for a request refused before it ran (no later plugin sees that request)', async () => {
    const before = seen.length;
    const result = await t.query('{ jobs(first: 1) { nodes { id } } }', { token: 'not-a-token' });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(seen.length).toBe(before);
  });

  it('is published once', () => {
    const context = new GatewayContext('r', { sub: 's', role: 'analyst', org: null, purposes: ['ANALYTICS'], purpose: 'ANALYTICS', legalBasis: null }, false);
    const outcome: PrivacyOutcome = { operationName: null, operationType: 'query', denied: [], rejected: false, disclosure: null, masked: [] };
    context.publishPrivacy(outcome);
    expect(context.privacy).toBe(outcome);
    expect(() => context.publishPrivacy(outcome)).toThrow(/twice/);
  });

  it('serves the routes a plugin adds', async () => {
    const res = await fetch(new URL('/probe', t.system.gateway.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ probe: 'ok' });
  });
});

describe('the core alone', () => {
  const subgraphUrls = () => Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, s]) => [name, s.url]));

  it('answers nobody when no plugin binds the caller to a purpose (fail closed)', async () => {
    const gateway = await startGatewayCore({
      supergraphSdl: t.system.supergraphSdl,
      subgraphUrls: subgraphUrls(),
      plugins: [useAuthentication(t.auth), useCallerAssertion(t.keys.assertion, t.keys.bindingKey)],
    });
    try {
      const token = await t.token({ role: 'compliance' });
      const before = Object.values(t.system.subgraphs).reduce((n, s) => n + s.requestCount, 0);
      const res = await postGraphQL(gateway.url, '{ jobs(first: 1) { nodes { id } } }', { token, purpose: 'SUPPORT' });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.body.data ?? null).toBeNull();
      expect(Object.values(t.system.subgraphs).reduce((n, s) => n + s.requestCount, 0)).toBe(before);
    } finally {
      await gateway.close();
    }
  });

  it('does not start on a supergraph a plugin refuses, and says why', async () => {
    const refusing: GatewayPlugin = {
      name: 'refusing',
      onSchema() {
        throw new Error('refused by the test plugin');
      },
    };
    await expect(
      startGatewayCore({ supergraphSdl: t.system.supergraphSdl, subgraphUrls: subgraphUrls(), plugins: [refusing] }),
    ).rejects.toThrow('refused by the test plugin');
  });
});

describe('the HTTP edge', () => {
  const url = () => t.system.gateway.url;

  it.each([
    ['text/plain (a browser may send it cross-site)', { 'content-type': 'text/plain' }, '{"query":"{ __typename }"}', 415, /content-type application\/json/],
    ['a body that is not JSON', { 'content-type': 'application/json' }, '{"query":', 400, /not valid JSON/],
    ['an empty JSON body', { 'content-type': 'application/json' }, '', 400, /not valid JSON/],
    ['a body over 1 MiB', { 'content-type': 'application/json' }, JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_100_000)}` }), 413, /too large/],
  ])('refuses %s with a GraphQL-shaped error', async (_name, headers, body, status, message) => {
    const res = await fetch(url(), { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const json = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(json.errors[0]!.message).toMatch(message);
    expect(json.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('answers an unknown path with 404 naming the endpoint, and /health (kept as an alias of /healthz)', async () => {
    const missing = await fetch(new URL('/nothing-here', url()));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    const health = await fetch(new URL('/health', url()));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('cache-control')).toBe('no-store');
  });

  it('decodes a Japanese legal-basis reference sent as UTF-8 bytes', async () => {
    const token = await t.token({ role: 'compliance' });
    const reference = '東京地裁 令和8年(モ)第123号';
    const res = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-purpose': 'LEGAL_OBLIGATION',
        // fetch sends header values as Latin-1: these are the UTF-8 bytes of the reference.
        'x-legal-basis': Buffer.from(reference, 'utf8').toString('latin1'),
      },
      body: JSON.stringify({ query: '{ jobs(first: 1) { nodes { id } } }' }),
    });
    const json = (await res.json()) as any;
    expect(json.errors).toBeUndefined();
    expect(json.data.jobs.nodes).toHaveLength(1);
  });

  it('answers GET queries (with CSRF prevention) and refuses mutations over GET', async () => {
    const token = await t.token({ role: 'compliance' });
    const query = encodeURIComponent('{ jobs(first: 1) { nodes { id } } }');
    const headers = { authorization: `Bearer ${token}`, 'x-purpose': 'SUPPORT', 'apollo-require-preflight': 'true' };
    const ok = await fetch(`${url()}?query=${query}`, { headers });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.jobs.nodes).toHaveLength(1);
    const noPreflight = await fetch(`${url()}?query=${query}`, { headers: { authorization: headers.authorization, 'x-purpose': 'SUPPORT' } });
    expect(noPreflight.status).toBe(400);
    const mutation = encodeURIComponent('mutation { withdrawConsent(purpose: MARKETING) { granted } }');
    const refused = await fetch(`${url()}?query=${mutation}`, { headers });
    expect(refused.status).toBe(405);
  });
});

describe('the data-subject contract at the gateway', () => {
  it('is not part of the public API: clients can neither see nor call it, whoever they are', async () => {
    const token = await t.token({ role: 'compliance' });
    const schema = await t.query('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }', { token, purpose: 'SUPPORT' });
    const names = [...schema.body.data!.__schema.queryType.fields, ...schema.body.data!.__schema.mutationType.fields].map((f: any) => f.name);
    expect(names).toContain('me');
    expect(names.filter((n: string) => n.startsWith('_dataSubject'))).toEqual([]);
    const before = Object.values(t.system.subgraphs).reduce((n, s) => n + s.requestCount, 0);
    for (const operation of [
      `{ _dataSubjectExport(subjectId: "${DEMO_IDS.candidate}") { subgraph } }`,
      `mutation { _dataSubjectErase(subjectId: "${DEMO_IDS.candidate}") { subgraph } }`,
    ]) {
      const res = await t.query(operation, { token, purpose: 'LEGAL_OBLIGATION', headers: { 'x-legal-basis': 'Case 2026-123' } });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    expect(Object.values(t.system.subgraphs).reduce((n, s) => n + s.requestCount, 0)).toBe(before);
  });
});

describe('error messages', () => {
  const SECRET = 'lan.nguyen@example.jp';

  it.each([
    ['a variable of an enum type', 'mutation($p: ConsentPurpose!) { grantConsent(purpose: $p) { granted } }', { p: SECRET }, 'BAD_USER_INPUT', /^Variable "\$p" got an invalid value: not a value of enum "ConsentPurpose"\.$/],
    ['a variable of type ID', 'query($id: ID!) { candidate(id: $id) { id } }', { id: { email: SECRET } }, 'BAD_USER_INPUT', /^Variable "\$id" got an invalid value: expected a value of type ID\.$/],
    ['a string literal where an Int goes', `{ jobs(first: "${SECRET}") { nodes { id } } }`, undefined, 'GRAPHQL_VALIDATION_FAILED', /^Int cannot represent the value given\.$/],
    ['an enum literal', `mutation { grantConsent(purpose: lan_nguyen_example_jp) { granted } }`, undefined, 'GRAPHQL_VALIDATION_FAILED', /^The value given does not exist in enum "ConsentPurpose"\.$/],
    ['a string token in a syntax error', `{ jobs(first: 1 "${SECRET}") { nodes { id } } }`, undefined, 'GRAPHQL_PARSE_FAILED', /^Syntax Error: .*found a string\.$/],
  ])('never repeat what the client sent: %s', async (_kind, query, variables, code, message) => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const res = await t.query(query, { token, variables });
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(res.body.errors?.[0]?.message).toMatch(message);
    expect(JSON.stringify(res.body)).not.toContain('lan');
  });

  it('do not name the subgraph an error came from', async () => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const res = await t.query('mutation($r: ID) { grantConsent(purpose: EMPLOYER_DISCLOSURE, recipient: $r) { granted } }', {
      token,
      variables: { r: '00000000-0000-4000-8000-00000000ffff' },
    });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.extensions).not.toHaveProperty('serviceName');
    expect(JSON.stringify(res.body)).not.toMatch(/users|employers|marketing/);
  });
});

describe('authentication with keys from a JWKS URL', () => {
  async function serveJwks(answer: (res: import('node:http').ServerResponse) => void) {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    return { url: new URL(`http://127.0.0.1:${port}/jwks.json`), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  async function ask(jwksUrl: URL) {
    const gateway = await startGatewayCore({
      supergraphSdl: t.system.supergraphSdl,
      subgraphUrls: Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, s]) => [name, s.url])),
      production: true,
      plugins: [useAuthentication({ ...t.auth, keys: { kind: 'remote', url: jwksUrl } }), (await import('../gateway/plugins/purpose/index.ts')).usePurposeBinding(), useCallerAssertion(t.keys.assertion, t.keys.bindingKey)],
    });
    try {
      return await postGraphQL(gateway.url, '{ jobs(first: 1) { nodes { id } } }', { token: await t.token({ role: 'compliance' }), purpose: 'SUPPORT' });
    } finally {
      await gateway.close();
    }
  }

  it('verifies tokens against the keys it fetched (control)', async () => {
    const jwks = await serveJwks((res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(t.keys.issuer.jwks)));
    try {
      const res = await ask(jwks.url);
      expect(res.status).toBe(200);
      expect(res.body.data?.jobs.nodes).toHaveLength(1);
    } finally {
      await jwks.close();
    }
  });

  it.each([
    ['refuses connections', null],
    ['answers 500', (res: import('node:http').ServerResponse) => res.writeHead(500).end('down')],
    ['answers something that is not a key set', (res: import('node:http').ServerResponse) => res.setHeader('content-type', 'application/json').end('{"keys": 5}')],
  ])('answers 503, not "token invalid", when the JWKS URL %s', async (_what, answer) => {
    let url: URL;
    let close = async () => {};
    if (answer === null) {
      const jwks = await serveJwks(() => {});
      url = jwks.url;
      await jwks.close();
    } else {
      const jwks = await serveJwks(answer);
      url = jwks.url;
      close = jwks.close;
    }
    try {
      const res = await ask(url);
      expect(res.status).toBe(503);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.errors?.[0]?.message).toMatch(/signing keys could not be loaded/);
    } finally {
      await close();
    }
  });
});

describe('the development explorer', () => {
  it('is GraphiQL served from this gateway alone: every asset same-origin, a CSP that allows nothing else', async () => {
    const base = new URL('/', t.system.gateway.url);
    const root = await fetch(base, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/explorer');
    const page = await fetch(new URL('/explorer', base));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBe(5);
    for (const asset of assets) {
      expect(asset.startsWith('/explorer/'), asset).toBe(true);
      const res = await fetch(new URL(asset, base));
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(500);
    }
    // The page's own script: headers ready to fill in, nothing kept in the browser.
    const script = await (await fetch(new URL('/explorer/page.js', base))).text();
    expect(script).toContain("'x-purpose'");
    expect(script).toContain('Authorization');
    expect(script).toContain('shouldPersistHeaders: false');
    expect(script).not.toMatch(/localStorage|https?:\/\//);
    expect((await fetch(new URL('/explorer/nothing.js', base))).status).toBe(404);
    // Apollo's landing page (Apollo Sandbox from a CDN) is gone.
    const landing = await fetch(t.system.gateway.url, { headers: { accept: 'text/html' } });
    expect(await landing.text()).not.toMatch(/sandbox|embeddable-explorer|apollographql\.com/i);
  });
});
