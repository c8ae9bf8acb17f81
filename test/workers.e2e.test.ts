// GATEWAY_WORKERS: several gateway workers share one port (node:cluster), each a full gateway; the embedded
// database refuses it; SIGTERM to the supervising process stops every worker and frees the port.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { startSubgraphs } from '../scripts/system.ts';
import { openTestDatabase } from './database.ts';
import { testDatabaseUrl } from './global-setup.ts';
import { freePort, ROOT, runToEnd } from './processes.ts';
import { postGraphQL, TEST_PURPOSES } from './system.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));


describe('GATEWAY_WORKERS', () => {
  it('is refused on the embedded database, in one line, exit 2', async () => {
    const { DATABASE_URL: _unset, ...env } = process.env;
    const result = await runToEnd(['scripts/start-gateway.ts'], { ...(env as Record<string, string>), DATABASE_URL: '', GATEWAY_WORKERS: '2' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('GATEWAY_WORKERS above 1 needs DATABASE_URL: the embedded database serves one process only.');
  });

  it.runIf(Boolean(testDatabaseUrl()))('on PostgreSQL: two workers share the port, both serve, and SIGTERM stops them all', async () => {
    const db = await openTestDatabase();
    const keysDir = mkdtempSync(path.join(tmpdir(), 'pgw-workers-'));
    dirs.push(keysDir);
    const keys = await loadOrCreateDevKeys(keysDir);
    const subgraphs = await startSubgraphs({ db: db.db, assertionJwks: keys.assertion.jwks, bindingKey: keys.bindingKey });
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-gateway.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url!,
        KEYS_DIR: keysDir,
        PORT: String(port),
        GATEWAY_WORKERS: '2',
        LOG_LEVEL: 'info',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
        USERS_URL: subgraphs.users.url,
        EMPLOYERS_URL: subgraphs.employers.url,
        MARKETING_URL: subgraphs.marketing.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while ((out.match(/gateway at .*\(worker pid \d+\)/g) ?? []).length < 2) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workers did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const workerPids = new Set([...out.matchAll(/\(worker pid (\d+)\)/g)].map((m) => Number(m[1])));
      expect(workerPids.size).toBe(2);
      expect(workerPids.has(child.pid!)).toBe(false);

      const token = await signToken(keys.issuer, { sub: DEMO_IDS.candidate, role: 'candidate', org: null, purposes: TEST_PURPOSES.candidate, issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE });
      // Many connections at once: the primary hands them to both workers.
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => postGraphQL(`http://127.0.0.1:${port}/graphql`, '{ me { id fullName } }', { token })),
      );
      expect(answers.every((a) => a.status === 200 && a.body.data?.me?.id === DEMO_IDS.candidate)).toBe(true);
      // Each request's log line carries the pid of the worker that answered it.
      await new Promise((r) => setTimeout(r, 300));
      const served = new Set(
        out
          .split('\n')
          .filter((l) => l.startsWith('{') && l.includes('"requestId"'))
          .map((l) => (JSON.parse(l) as { pid: number }).pid),
      );
      expect(served).toEqual(workerPids);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const pid of workerPids) expect(() => process.kill(pid, 0)).toThrow();
      // The port is free again.
      await new Promise<void>((resolve, reject) => {
        const server = createServer().once('error', reject).listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(Object.values(subgraphs).map((s) => s.close()));
      await db.close();
    }
  }, 120_000);
});
