// CORS over real HTTP: preflights from an allowed origin, a refused one, and with no origin configured; the
// contract's headers allowed, the request id exposed; Apollo's CSRF prevention still refuses simple cross-site requests.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOWED_HEADERS } from '../gateway/plugins/cors/index.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const APP = 'http://app.localhost:5173';

function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (url: string, origin: string) =>
  send(url, 'OPTIONS', {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': CORS_ALLOWED_HEADERS.join(','),
  });

let withCors: TestSystem;
let without: TestSystem;
beforeAll(async () => {
  [withCors, without] = await Promise.all([startTestSystem({ gateway: { corsOrigins: [APP], rateLimits: { requestsPerMinute: 0, authFailuresPerMinute: 2 } } }), startTestSystem()]);
});
afterAll(async () => {
  await Promise.all([withCors?.close(), without?.close()]);
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the contract headers', async () => {
    const res = await preflight(withCors.system.gateway.url, APP);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    const allowed = String(res.headers['access-control-allow-headers']).split(',').map((h) => h.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-purpose', 'x-legal-basis', 'x-privacy-mode']));
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toMatch(/origin/i);
  });

  it('lets the allowed origin read the answer and its request id', async () => {
    const token = await withCors.token({ role: 'analyst' });
    const res = await send(
      withCors.system.gateway.url,
      'POST',
      { origin: APP, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      JSON.stringify({ query: '{ jobs(first: 1) { nodes { id } } }' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives a refused origin no CORS headers', async () => {
    for (const origin of ['http://evil.localhost:5173', 'http://app.localhost:5174', 'null']) {
      const res = await preflight(withCors.system.gateway.url, origin);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(res.headers['access-control-allow-headers'], origin).toBeUndefined();
    }
  });

  it('allows no origin when none is configured', async () => {
    const res = await preflight(without.system.gateway.url, APP);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it("keeps Apollo's CSRF prevention: a simple cross-site GET without a preflight header is refused", async () => {
    const token = await withCors.token({ role: 'analyst' });
    const url = new URL(withCors.system.gateway.url);
    url.searchParams.set('query', '{ jobs(first: 1) { nodes { id } } }');
    const res = await send(url.toString(), 'GET', { origin: APP, authorization: `Bearer ${token}` });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/CSRF|preflight/i);
  });

  // Last: it leaves this address over its failed-authentication limit.
  it('lets the allowed origin read a refusal too (401, then 429 with Retry-After)', async () => {
    const post = () =>
      send(withCors.system.gateway.url, 'POST', { origin: APP, 'content-type': 'application/json', authorization: 'Bearer not-a-token' }, '{"query":"{ __typename }"}');
    const answers = [await post(), await post(), await post()];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 429]);
    for (const answer of answers) expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answers[2]!.headers['access-control-expose-headers']).toMatch(/retry-after/);
  });
});
