// docs/deploy.md, run: the three subgraphs and two gateway replicas as separate processes on one PostgreSQL, and a
// rolling restart of the gateways under load that loses no request. The load balancer is played by the clients: a
// request whose connection a replica refuses (it is stopping or not yet up) goes to the other one, as a balancer
// that takes a draining replica out of rotation does. PostgreSQL only: the embedded database serves one process.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { openTestDatabase } from './database.ts';
import { testDatabaseUrl } from './global-setup.ts';
import { freePort, runCommand, type RunningCommand } from './processes.ts';
import { TEST_PURPOSES } from './system.ts';


/** A connection-level failure: the replica did not take the request (it never reached a resolver). */
function refused(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

describe('docs/deploy.md', () => {
  it('names only configuration the code reads, and every test it cites exists', () => {
    const root = path.join(import.meta.dirname, '..');
    const guide = readFileSync(path.join(root, 'docs/deploy.md'), 'utf8');
    const config = readFileSync(path.join(root, 'gateway/config.ts'), 'utf8');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const variables = [...new Set([...guide.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!))];
    expect(variables.length).toBeGreaterThan(8);
    const tracing = readFileSync(path.join(root, 'telemetry/tracing.ts'), 'utf8');
    // The subgraph URLs are read as `${NAME}_URL` for each subgraph.
    const read = (name: string) => config.includes(`'${name}'`) || tracing.includes(name) || /^(USERS|EMPLOYERS|MARKETING)_URL$/.test(name);
    expect(variables.filter((name) => !read(name) || !readme.includes(`\`${name}\``))).toEqual([]);
    const tests = [...new Set([...guide.matchAll(/`((?:test|directives|gateway|subgraphs)\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1]!))];
    expect(tests.length).toBeGreaterThan(2);
    expect(tests.filter((file) => !existsSync(path.join(root, file)))).toEqual([]);
  });
});

describe.runIf(Boolean(testDatabaseUrl()))('deployment on PostgreSQL', () => {
  it('two gateway replicas and three subgraph processes: a rolling restart under load loses no request', async () => {
    const db = await openTestDatabase();
    const keysDir = mkdtempSync(path.join(tmpdir(), 'pgw-deploy-'));
    const keys = await loadOrCreateDevKeys(keysDir);
    const [users, employers, marketing, g1, g2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const env = {
      DATABASE_URL: db.url!,
      KEYS_DIR: keysDir,
      USERS_PORT: String(users),
      EMPLOYERS_PORT: String(employers),
      MARKETING_PORT: String(marketing),
      USERS_URL: `http://127.0.0.1:${users}/graphql`,
      EMPLOYERS_URL: `http://127.0.0.1:${employers}/graphql`,
      MARKETING_URL: `http://127.0.0.1:${marketing}/graphql`,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const processes: RunningCommand[] = [];
    const start = async (args: string[], extra: Record<string, string>, until: RegExp) => {
      const command = runCommand(args, { ...env, ...extra }, { until, timeoutMs: 60_000 });
      processes.push(command);
      await command.ready;
      return command;
    };
    try {
      for (const name of ['users', 'employers', 'marketing']) await start(['scripts/start-subgraph.ts', name], {}, /subgraph at /);
      const gateway = (port: number) => start(['scripts/start-gateway.ts'], { PORT: String(port) }, /gateway at /);
      const replicas = [await gateway(g1), await gateway(g2)];
      const ports = [g1, g2];

      const token = await signToken(keys.issuer, { sub: DEMO_IDS.candidate, role: 'candidate', org: null, purposes: TEST_PURPOSES.candidate, issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE });
      const body = JSON.stringify({ query: '{ me { id fullName applications { job { employer { name } } } } }' });
      let answered = 0;
      let retried = 0;
      const lost: string[] = [];
      let running = true;
      const ask = async (first: number) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const port = ports[(first + attempt) % 2]!;
          try {
            const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'SERVICE_PROVISION' },
              body,
            });
            const json = (await res.json()) as { data?: { me?: { id?: string } } };
            if (res.status === 200 && json.data?.me?.id === DEMO_IDS.candidate) answered++;
            else lost.push(`HTTP ${res.status} ${JSON.stringify(json).slice(0, 120)}`);
            return;
          } catch (error) {
            if (!refused(error)) {
              lost.push(String((error as Error).message));
              return;
            }
            retried++;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        lost.push('no replica took the request');
      };
      const clients = Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; running; i++) await ask((c + i) % 2);
      });

      await new Promise((r) => setTimeout(r, 1_000));
      for (const [i, port] of ports.entries()) {
        const stopped = await replicas[i]!.stop();
        expect(stopped.code, stopped.stderr).toBe(0);
        await new Promise((r) => setTimeout(r, 300));
        replicas[i] = await gateway(port);
        await new Promise((r) => setTimeout(r, 700));
      }
      running = false;
      await Promise.all(clients);

      console.log(`rolling restart: ${answered} requests answered, ${retried} sent again to the other replica, ${lost.length} lost`);
      expect(lost).toEqual([]);
      expect(answered).toBeGreaterThan(100);
      // The restarts were felt (some requests went to the other replica), and none of them was lost.
      expect(retried).toBeGreaterThan(0);
    } finally {
      await Promise.allSettled(processes.map((p) => p.stop()));
      await db.close();
      rmSync(keysDir, { recursive: true, force: true });
    }
  }, 240_000);
});
