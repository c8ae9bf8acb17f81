// The production build: `npm run build` compiles the services to JavaScript, and the compiled system runs with plain
// `node` (no TypeScript loader) and answers through the gateway.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { freePort, ROOT } from './processes.ts';

const OUT = `.build-test-${process.pid}`;
const work = mkdtempSync(path.join(tmpdir(), 'pgw-build-'));


/** Runs compiled JavaScript with plain node: no --import, no loader in NODE_OPTIONS. */
function plainNode(args: string[], env: Record<string, string>) {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  return spawn(process.execPath, args, { cwd: work, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out-dir', OUT], { cwd: ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  expect(built.stdout).toMatch(/Built \.build-test-\d+\/: compiled sources and \d+ run-time files\./);
}, 120_000);

afterAll(() => {
  rmSync(path.join(ROOT, OUT), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('emits JavaScript whose relative imports name .js files, and no test code', () => {
    const files = readdirSync(path.join(ROOT, OUT), { recursive: true, encoding: 'utf8' });
    const js = files.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(50);
    expect(files.filter((f) => /\.test\.js$|test-fixture\.js$/.test(f))).toEqual([]);
    const tsImports = js.filter((f) => /from\s+['"]\.{1,2}\/[^'"]+\.ts['"]/.test(readFileSync(path.join(ROOT, OUT, f), 'utf8')));
    expect(tsImports).toEqual([]);
    for (const asset of ['subgraphs/users/schema.graphql', 'gateway/supergraph.graphql', 'db/migrations/meta/_journal.json', 'gateway/plugins/explorer/page.js']) {
      expect(files.map((f) => f.split(path.sep).join('/'))).toContain(asset);
    }
  });

  it('the production commands load no development dependency (seed generator, TypeScript loader)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = new Set(Object.keys(pkg.devDependencies));
    expect(dev.has('@faker-js/faker') && dev.has('tsx')).toBe(true);
    /** Every package a compiled file imports statically, following the project's own files. */
    const packagesOf = (entry: string) => {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
          const spec = (m[1] ?? m[2])!;
          if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
          else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      };
      visit(path.join(ROOT, OUT, entry));
      return packages;
    };
    for (const entry of ['scripts/start-gateway.js', 'scripts/start-subgraph.js', 'scripts/migrate.js', 'scripts/start.js', 'scripts/audit-verify.js', 'scripts/retention.js']) {
      const used = [...packagesOf(entry)];
      expect(used.length, entry).toBeGreaterThan(3);
      expect(used.filter((p) => dev.has(p)), entry).toEqual([]);
    }
  });

  it('runs the whole system with plain node: it starts, and the gateway answers a token the compiled script signed', async () => {
    const [gateway, users, employers, marketing] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env = {
      PGLITE_DIR: path.join(work, 'pglite'),
      KEYS_DIR: path.join(work, 'keys'),
      PORT: String(gateway),
      USERS_PORT: String(users),
      EMPLOYERS_PORT: String(employers),
      MARKETING_PORT: String(marketing),
      SEED_CANDIDATES: '50',
      APOLLO_TELEMETRY_DISABLED: 'true',
      DATABASE_URL: '',
    };
    const started = Date.now();
    const child = plainNode([path.join(ROOT, OUT, 'scripts/start.js')], env);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready in time:\n${out}`)), 90_000);
        child.stdout.on('data', () => {
          if (/\nReady in /.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => reject(new Error(`exited ${code} before it was ready:\n${out}`)));
      });
      expect(Date.now() - started).toBeLessThan(90_000);
      const token = spawnSync(process.execPath, [path.join(ROOT, OUT, 'scripts/token.js'), '--role', 'candidate', '--sub', DEMO_IDS.candidate], {
        cwd: work,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect(token.status, token.stderr).toBe(0);
      const res = await fetch(`http://127.0.0.1:${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.stdout.trim()}`, 'x-purpose': 'SERVICE_PROVISION' },
        body: JSON.stringify({ query: '{ me { id fullName applications { job { employer { name } } } } }' }),
      });
      const body = (await res.json()) as { data?: { me?: { id: string; fullName: string | null; applications: unknown[] } } };
      expect(res.status).toBe(200);
      expect(body.data?.me?.id).toBe(DEMO_IDS.candidate);
      expect(body.data?.me?.fullName).toEqual(expect.any(String));
      expect(body.data?.me?.applications.length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 150_000);
});
