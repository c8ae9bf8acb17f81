// Throughput of `npm run start:gateway` at 1 and at 2 workers (GATEWAY_WORKERS), the production way: the three
// subgraphs and the gateway as separate processes on PostgreSQL, the enforcing gateway with the access log, logs at
// info and metrics on, 50 connections on B's page (compliance under LEGAL_OBLIGATION). Prints req/s, p50 and p99
// per round and the median ratio 2/1. On a 2-core machine the second worker competes with the subgraphs, the
// database and the load generator for the same cores: the figure says more about the machine than about workers.
// Usage: DATABASE_URL=postgres://… npx tsx bench/workers.ts [--rounds 3] [--seconds 10] [--candidates 10000]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDatabase } from './database.ts';
import { runLoad } from './load.ts';
import { CANDIDATE_PAGE_QUERY, LEGAL_BASIS_REFERENCE } from './scenarios.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, candidates: { type: 'string', default: '10000' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const databaseUrl = process.env.DATABASE_URL?.trim();
if (!databaseUrl) {
  console.error('bench/workers.ts needs DATABASE_URL: workers share one PostgreSQL (the embedded database serves one process).');
  process.exit(2);
}
const ROOT = path.join(import.meta.dirname, '..');
const log = (line: string) => console.log(`[workers] ${line}`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function start(script: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...script], { cwd: ROOT, env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${script.join(' ')} exited ${code}:\n${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const database = await prepareDatabase({ databaseUrl, databaseName: 'pgw_bench_workers', size: Number(values.candidates), reuse: true, log });
const url = database.config.kind === 'postgres' ? database.config.url : '';
const keysDir = mkdtempSync(path.join(tmpdir(), 'pgw-bench-workers-'));
const keys = await loadOrCreateDevKeys(keysDir);
// Production refuses development tokens: the gateway verifies against a JWKS file served locally.
const jwks = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keys.issuer.jwks)));
await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
const [users, employers, marketing] = await Promise.all([freePort(), freePort(), freePort()]);
const env: Record<string, string> = {
  DATABASE_URL: url,
  KEYS_DIR: keysDir,
  JWKS_URL: jwksUrl,
  USERS_PORT: String(users),
  EMPLOYERS_PORT: String(employers),
  MARKETING_PORT: String(marketing),
  USERS_URL: `http://127.0.0.1:${users}/graphql`,
  EMPLOYERS_URL: `http://127.0.0.1:${employers}/graphql`,
  MARKETING_URL: `http://127.0.0.1:${marketing}/graphql`,
  RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
  LOG_LEVEL: 'info',
};
const subgraphs: ChildProcess[] = [];
for (const name of ['users', 'employers', 'marketing']) subgraphs.push(await start(['scripts/start-subgraph.ts', name], env, /subgraph at /));

const token = await signToken(keys.issuer, {
  sub: 'bench-compliance',
  role: 'compliance',
  org: null,
  purposes: ['LEGAL_OBLIGATION'],
  issuer: DEV_ISSUER,
  audience: DEFAULT_AUDIENCE,
});
const results: Record<1 | 2, { rps: number; p50: number; p99: number }[]> = { 1: [], 2: [] };
try {
  for (let round = 0; round < rounds; round++) {
    for (const workers of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
      const port = await freePort();
      const gateway = await start(['scripts/start-gateway.ts'], { ...env, PORT: String(port), GATEWAY_WORKERS: String(workers) }, workers === 1 ? /gateway at / : /(gateway at[^\n]*\n[\s\S]*){2}/);
      const target = {
        url: `http://127.0.0.1:${port}/graphql`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'LEGAL_OBLIGATION', 'x-legal-basis': LEGAL_BASIS_REFERENCE },
        body: JSON.stringify({ query: CANDIDATE_PAGE_QUERY }),
      };
      const reference = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
      const expectedBody = await reference.text();
      if (reference.status !== 200 || !expectedBody.includes('"candidates"')) throw new Error(`the reference request failed: HTTP ${reference.status}`);
      await runLoad({ ...target, expectedBody }, { connections: 50, seconds: 3, generator: 'autocannon' });
      const result = await runLoad({ ...target, expectedBody }, { connections: 50, seconds, generator: 'autocannon' });
      if (result.mismatched > 0 || result.non2xx > 0 || result.errors > 0) throw new Error(`${workers} worker(s): ${result.mismatched} mismatched, ${result.non2xx} non-2xx, ${result.errors} errors`);
      results[workers].push({ rps: result.rps, p50: result.p50Ms, p99: result.p99Ms });
      log(`round ${round + 1}: ${workers} worker(s) ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms (${result.matched} responses checked)`);
      await stop(gateway);
    }
  }
} finally {
  for (const s of subgraphs) await stop(s);
  jwks.close();
  rmSync(keysDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratios = results[1].map((one, i) => results[2][i]!.rps / one.rps);
console.log(`
| workers | req/s median | p50 ms | p99 ms |
|---:|---:|---:|---:|
| 1 | ${median(results[1].map((r) => r.rps)).toFixed(0)} | ${median(results[1].map((r) => r.p50)).toFixed(1)} | ${median(results[1].map((r) => r.p99)).toFixed(1)} |
| 2 | ${median(results[2].map((r) => r.rps)).toFixed(0)} | ${median(results[2].map((r) => r.p50)).toFixed(1)} | ${median(results[2].map((r) => r.p99)).toFixed(1)} |

2 workers / 1 worker, req/s per round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}).`);
