// Rate limits over real HTTP: one caller over its limit gets 429 with Retry-After and RATE_LIMITED while another
// caller is served; bad tokens from one address are refused with 429 after the threshold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from './system.ts';

const REQUESTS_PER_MINUTE = 250;
const AUTH_FAILURES_PER_MINUTE = 20;

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem({ gateway: { rateLimits: { requestsPerMinute: REQUESTS_PER_MINUTE, authFailuresPerMinute: AUTH_FAILURES_PER_MINUTE } } });
});
afterAll(async () => {
  await t?.close();
});

async function post(token: string) {
  const res = await fetch(t.system.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await res.json()) as { errors?: { message: string; extensions: { code: string; retryAfterSeconds?: number } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

/** `count` requests, `concurrency` at a time. */
async function burst(count: number, concurrency: number, one: () => Promise<Awaited<ReturnType<typeof post>>>) {
  const results: Awaited<ReturnType<typeof post>>[] = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - sent) }, one))));
  }
  return results;
}

describe('rate limits', () => {
  it('refuses one caller over its limit with 429, Retry-After and RATE_LIMITED; another caller is unaffected', async () => {
    const busy = await t.token({ role: 'analyst' });
    const results = await burst(300, 20, () => post(busy));
    expect(results.filter((r) => r.status === 200)).toHaveLength(REQUESTS_PER_MINUTE);
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(300 - REQUESTS_PER_MINUTE);
    for (const r of limited) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
      expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: Number(r.retryAfter) });
    }
    const other = await post(await t.token({ role: 'analyst' }));
    expect(other.status).toBe(200);
    // Still limited: the window has not passed.
    expect((await post(busy)).status).toBe(429);
  });

  it('refuses an address with 429 after the threshold of failed authentications', async () => {
    const bad = `${(await t.token({ role: 'analyst' })).slice(0, -6)}AAAAAA`;
    const results = await burst(200, 20, () => post(bad));
    const unauthenticated = results.filter((r) => r.status === 401);
    const limited = results.filter((r) => r.status === 429);
    // Concurrent requests may all be read before the first failure is counted: at most one batch beyond the threshold.
    expect(unauthenticated.length).toBeGreaterThanOrEqual(AUTH_FAILURES_PER_MINUTE);
    expect(unauthenticated.length).toBeLessThan(AUTH_FAILURES_PER_MINUTE + 20);
    expect(unauthenticated.length + limited.length).toBe(200);
    expect(results.slice(-100).every((r) => r.status === 429)).toBe(true);
    for (const r of limited) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(r.body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
    }
  });

  it('is on by default: 20 failed authentications a minute per address', async () => {
    const defaults = await startTestSystem({ gateway: { rateLimits: undefined } });
    try {
      const bad = `${(await defaults.token({ role: 'analyst' })).slice(0, -6)}AAAAAA`;
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const res = await fetch(defaults.system.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bad}` },
          body: '{"query":"{ __typename }"}',
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(20).fill(401), 429]);
    } finally {
      await defaults.close();
    }
  });
});
