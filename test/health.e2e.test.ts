// /healthz and /readyz over real HTTP: readiness names each check, follows the database away and back, and takes
// plugins' own checks.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayPlugin } from '../gateway/core/plugin.ts';
import { createEphemeralKeys } from '../gateway/keys.ts';
import { createLogger } from '../gateway/logger.ts';
import { startGateway } from '../gateway/server.ts';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.ts';
import { signToken } from '../gateway/token.ts';
import { testDatabaseUrl } from './global-setup.ts';
import { openTestDatabase } from './database.ts';
import { startTestSystem, type TestSystem } from './system.ts';

async function readyz(t: TestSystem) {
  const res = await fetch(new URL('/readyz', t.system.gateway.url));
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

/** Polls /readyz until it answers `status`; returns how long that took. */
async function waitForReadiness(t: TestSystem, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await readyz(t)).status === status) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`/readyz did not answer ${status} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health and readiness', () => {
  let t: TestSystem;
  let writerOk = true;
  const writer: GatewayPlugin = { name: 'writer', readiness: async () => ({ name: 'writer', ok: writerOk }) };
  beforeAll(async () => {
    t = await startTestSystem({ gateway: { plugins: [writer] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /healthz (and the older /health) while the process runs', async () => {
    for (const path of ['/healthz', '/health']) {
      const res = await fetch(new URL(path, t.system.gateway.url));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('is ready with the supergraph, the database, the signing keys and every plugin check named', async () => {
    await waitForReadiness(t, 200, 3_000);
    const { body } = await readyz(t);
    expect(body).toEqual({ status: 'ready', checks: { supergraph: 'ok', 'signing-keys': 'ok', database: 'ok', 'access-log': 'ok', writer: 'ok' } });
  });

  it("is not ready while a plugin's check fails, and ready again when it passes", async () => {
    writerOk = false;
    await waitForReadiness(t, 503, 3_000);
    expect((await readyz(t)).body).toMatchObject({ status: 'not ready', checks: { writer: 'failing', database: 'ok' } });
    writerOk = true;
    await waitForReadiness(t, 200, 3_000);
  });
});

function collectLogs() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('readiness without the database', () => {
  it('turns false within seconds when the database handle fails (closed), and logs why', async () => {
    const db = await openTestDatabase();
    const logs = collectLogs();
    const t = await startTestSystem({ db, gateway: { logger: logs.logger } });
    try {
      await waitForReadiness(t, 200, 3_000);
      await db.close();
      expect(await waitForReadiness(t, 503, 5_000)).toBeLessThan(5_000);
      expect((await readyz(t)).body.checks).toMatchObject({ database: 'failing', supergraph: 'ok' });
      // Liveness is not readiness: the process still answers.
      expect((await fetch(new URL('/healthz', t.system.gateway.url))).status).toBe(200);
      expect(logs.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'database unreachable', check: 'database', cause: expect.objectContaining({ type: expect.any(String) }) }));
      expect(logs.lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'not ready', failing: expect.arrayContaining(['database']) }));
    } finally {
      await t.close();
    }
  });

  it('turns false when the access log cannot be written (its own database handle closed), the database being fine', async () => {
    const log = await openTestDatabase();
    const t = await startTestSystem({ audit: { db: log.db } });
    try {
      await waitForReadiness(t, 200, 3_000);
      await log.close();
      expect(await waitForReadiness(t, 503, 5_000)).toBeLessThan(5_000);
      expect((await readyz(t)).body.checks).toMatchObject({ 'access-log': 'failing', database: 'ok' });
    } finally {
      await t.close();
    }
  });

  it.runIf(Boolean(testDatabaseUrl()))('on PostgreSQL: turns false when the connections are cut and refused, true when they return', async () => {
    const db = await openTestDatabase();
    const t = await startTestSystem({ db });
    const [{ name }] = (await db.db.execute(sql`select current_database() as name`)) as unknown as [{ name: string }];
    const admin = postgres(testDatabaseUrl()!, { max: 1, onnotice: () => {} });
    try {
      await waitForReadiness(t, 200, 3_000);
      // No new connection (superusers included), and every open one is terminated.
      await admin.unsafe(`alter database ${name} allow_connections false`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      expect(await waitForReadiness(t, 503, 5_000)).toBeLessThan(5_000);
      expect((await readyz(t)).body.checks.database).toBe('failing');
      await admin.unsafe(`alter database ${name} allow_connections true`);
      expect(await waitForReadiness(t, 200, 5_000)).toBeLessThan(5_000);
    } finally {
      await admin.unsafe(`alter database ${name} allow_connections true`).catch(() => {});
      await admin.end();
      await t.close();
      await db.close();
    }
  });
});

describe('readiness without the signing keys', () => {
  it('is not ready while the JWKS cannot be loaded, and says so in the log', async () => {
    // A port that was free a moment ago: nobody answers there.
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const keys = await createEphemeralKeys();
    const logs = collectLogs();
    const gateway = await startGateway({
      supergraphSdl: readFileSync(SUPERGRAPH_FILE, 'utf8'),
      subgraphUrls: {},
      auth: { issuer: 'i', audience: 'a', algorithms: ['ES256'], keys: { kind: 'remote', url: new URL(`http://127.0.0.1:${closed}/jwks.json`) }, clockToleranceSeconds: 5, maxTokenAgeSeconds: 3600 },
      assertionKey: keys.assertion,
      bindingKey: keys.bindingKey,
      pseudonymKey: keys.pseudonymKey,
      loadConsents: async () => new Map(),
      logger: logs.logger,
      // No database here: what is checked is the signing keys (the access log's readiness is tested with it).
      audit: 'off',
    });
    try {
      const res = await fetch(new URL('/readyz', gateway.url));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not ready', checks: { supergraph: 'ok', 'signing-keys': 'failing' } });
      expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'not ready', failing: ['signing-keys'] }));
      // A request meanwhile is refused 503 and the log names why, with the fetch failure's code.
      const token = await signToken(keys.issuer, { sub: 's', role: 'analyst', purposes: ['ANALYTICS'], issuer: 'i', audience: 'a' });
      const refused = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{"query":"{ __typename }"}',
      });
      expect(refused.status).toBe(503);
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ level: 50, msg: 'signing keys (JWKS) could not be loaded', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) }),
      );
    } finally {
      await gateway.close();
    }
  });
});
