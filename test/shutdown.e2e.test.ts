// Graceful shutdown of `npm start` under load: SIGTERM to the npm process; every request either completes or is
// refused before it started (connection refused), the whole process tree is gone within the bound, the ports are free.
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase } from '../db/client.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';

const ROOT = path.join(import.meta.dirname, '..');
const SHUTDOWN_TIMEOUT_MS = 5_000;

type Outcome = 'completed' | 'refused' | 'reset' | 'unavailable' | `broken: ${string}`;

/**
 * One request on a fresh connection: a full GraphQL answer; refused (connection refused, or reset before any byte
 * of an answer: a connection still in the kernel's accept queue when the listener closes is reset, unread);
 * unavailable (503 from the closing HTTP server before any hook ran); or anything else (broken: an answer that
 * failed or was cut).
 */
function request(url: URL, token: string): Promise<Outcome> {
  const body = JSON.stringify({ query: '{ me { id fullName applications { status job { title employer { name } } } } }' });
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body), connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (res.statusCode === 503) resolve('unavailable');
            else resolve(res.statusCode === 200 && json.data?.me?.id === DEMO_IDS.candidate ? 'completed' : `broken: ${res.statusCode}`);
          } catch {
            resolve(`broken: ${res.statusCode} unreadable`);
          }
        });
        res.on('error', (error) => resolve(`broken: cut ${(error as NodeJS.ErrnoException).code}`));
      },
    );
    req.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      resolve(code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' ? 'reset' : `broken: ${code}`);
    });
    req.end(body);
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('graceful shutdown of npm start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-shutdown-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes or refuses every request, leaves no process and frees the ports', async () => {
    // A copy of the seeded embedded database, so the start neither seeds nor touches the developer's own.
    const pgliteDir = path.join(dir, 'pglite');
    const template = inject('pgliteTemplate');
    const copy = await createDatabase(template ? { kind: 'pglite', dataDir: pgliteDir, loadDataDir: new Blob([await readFile(template)]) } : { kind: 'pglite', dataDir: pgliteDir });
    await copy.close();
    const keysDir = path.join(dir, 'keys');
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: '',
        PGLITE_DIR: pgliteDir,
        KEYS_DIR: keysDir,
        SEED_CANDIDATES: '50',
        PORT: '0',
        USERS_PORT: '0',
        EMPLOYERS_PORT: '0',
        MARKETING_PORT: '0',
        LOG_LEVEL: 'debug',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
    try {
      const started = Date.now();
      while (!/Ready in/.test(output)) {
        if (Date.now() - started > 90_000 || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const urls = [...output.matchAll(/^\s+(gateway|users|employers|marketing)\s+(http:\S+)/gm)].map((m) => new URL(m[2]!));
      expect(urls).toHaveLength(4);
      const gateway = urls[0]!;
      const keys = await loadOrCreateDevKeys(keysDir);
      const token = await signToken(keys.issuer, {
        sub: DEMO_IDS.candidate,
        role: 'candidate',
        purposes: ['SERVICE_PROVISION'],
        issuer: DEV_ISSUER,
        audience: DEFAULT_AUDIENCE,
      });
      expect(await request(gateway, token)).toBe('completed');

      // Load: 8 clients, each sending one request after another until its connection is refused.
      const outcomes: Outcome[] = [];
      let signalledAt = 0;
      const client = async () => {
        for (;;) {
          const outcome = await request(gateway, token);
          outcomes.push(outcome);
          if (outcome === 'refused' || outcome.startsWith('broken') || Date.now() - started > 120_000) return;
          if (outcome !== 'completed') await new Promise((r) => setTimeout(r, 20));
        }
      };
      const clients = Promise.all(Array.from({ length: 8 }, client));
      await new Promise((r) => setTimeout(r, 1_500));
      const before = outcomes.length;
      signalledAt = Date.now();
      process.kill(child.pid!, 'SIGTERM');
      await clients;
      const { code, at } = await exited;

      const tally = Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]));
      expect(outcomes.filter((o) => o.startsWith('broken')), JSON.stringify(tally)).toEqual([]);
      expect(before).toBeGreaterThan(8);
      expect(outcomes.filter((o) => o === 'refused')).toHaveLength(8);
      // A reset request was never read: the gateway logs every request it received, and each of those completed.
      const logged = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; path?: string; status?: number });
      const received = logged.filter((l) => l.msg === 'request received' && l.path === '/graphql').length;
      const answered = logged.filter((l) => l.msg === 'request' && l.path === '/graphql' && l.status === 200).length;
      const completed = outcomes.filter((o) => o === 'completed').length + 1;
      expect({ received, answered }, JSON.stringify(tally)).toEqual({ received: completed, answered: completed });
      // The plugins were closed (the logging plugin's close writes this line) before the process exited.
      expect(logged.some((l) => l.msg === 'gateway stopped')).toBe(true);
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
      // The whole tree (npm, node) is gone, not re-parented; and nobody listens on the ports any more.
      while (isGroupAlive(child.pid!) && Date.now() - signalledAt < SHUTDOWN_TIMEOUT_MS + 2_000) await new Promise((r) => setTimeout(r, 100));
      const left = isGroupAlive(child.pid!)
        ? execFileSync('ps', ['-eo', 'pgid=,pid=,stat=,args='], { encoding: 'utf8' })
            .split('\n')
            .filter((line) => line.trim().split(/\s+/)[0] === String(child.pid))
        : [];
      expect(left).toEqual([]);
      for (const url of urls) expect(await isPortFree(Number(url.port)), url.toString()).toBe(true);
    } finally {
      if (isGroupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 180_000);
});
