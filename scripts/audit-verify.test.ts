// `npm run audit:verify` as an operator runs it: on an embedded database folder with the gateway's audit key.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter } from '../audit/writer.ts';
import { createDatabase } from '../db/client.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';

const run = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;

async function verify(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-verify-'));
  env = { ...process.env, DATABASE_URL: '', PGLITE_DIR: path.join(dir, 'pglite'), KEYS_DIR: path.join(dir, 'keys') };
  const keys = await loadOrCreateDevKeys(env.KEYS_DIR);
  const handle = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
  await handle.migrate();
  const writer = createAuditWriter({ db: handle.db, checkpointKey: keys.audit });
  const entry = (n: number) => ({
    event: 'FIELD_ACCESS' as const,
    occurredAt: new Date(),
    requestId: `r${n}`,
    callerSub: 's',
    role: 'support',
    org: null,
    purpose: 'SUPPORT',
    legalBasis: null,
    operationName: null,
    operationType: 'query',
    documentHash: null,
    outcome: 'RELEASED' as const,
    released: ['Candidate.email'],
    masked: [],
    withheld: {},
    subjects: ['00000000-0000-4000-8000-000000000001'],
    detail: {},
  });
  await Promise.all(Array.from({ length: 25 }, (_, i) => writer.record(entry(i))));
  await writer.close();
  await handle.close();
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run audit:verify', () => {
  it('answers --help', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--help'], { env });
    expect(stdout).toMatch(/^Usage: npm run audit:verify/);
  });

  it('reports the rows and chains it verified, and exits 0', async () => {
    const result = await verify();
    expect(result.stdout).toMatch(/access log verified: 25 rows in 1 chains, 2 signed checkpoints/);
    expect(result.code).toBe(0);
  });

  it('refuses, in one line, while another process holds the embedded database', async () => {
    const held = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
    try {
      const result = await verify();
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/in use by process \d+.*DATABASE_URL/);
    } finally {
      await held.close();
    }
  });

  it('prints the first broken link and exits 1 when a row was altered', async () => {
    const handle = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
    await handle.db.execute(sql.raw('alter table privacy.access_log disable trigger access_log_append_only'));
    await handle.db.execute(sql.raw("update privacy.access_log set released = '{Candidate.phone}' where seq = 12"));
    await handle.close();
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/access log broken: chain [0-9a-f-]{36}, seq 12: hash does not match the row: altered/);
  });
});
