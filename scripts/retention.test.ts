// `npm run retention` as an operator runs it, on an embedded database folder: the dry run lists what would go and
// deletes nothing, the run removes it, bad flags and a held database are one-line errors.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../db/client.ts';
import { expectedItems, itemLine, seedRetentionCases, type RetentionCases } from '../test/retention-fixtures.ts';

const exec = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;
let cases: RetentionCases;

async function retention(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'scripts/retention.ts', ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Rows about the seeded subjects, and the retention log's size. */
async function state(): Promise<string> {
  const handle = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
  try {
    const result = (await handle.db.execute(sql`
      select (select count(*) from users.resumes) as resumes, (select count(*) from users.work_history) as work,
             (select count(*) from employers.applications where cover_letter is not null) as letters,
             (select count(*) from marketing.ad_identifiers) as ads, (select count(*) from privacy.provision_records) as records,
             (select count(*) from privacy.retention_log) as logged`)) as { rows: unknown[] };
    return JSON.stringify(result.rows[0]);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'retention-cli-'));
  env = { ...process.env, DATABASE_URL: '', PGLITE_DIR: path.join(dir, 'pglite'), KEYS_DIR: path.join(dir, 'keys') };
  const handle = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
  await handle.migrate();
  cases = await seedRetentionCases(handle.db);
  await handle.close();
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run retention', () => {
  it('answers --help', async () => {
    const { stdout } = await retention('--help');
    expect(stdout).toMatch(/^Usage: npm run retention/);
  });

  it('refuses a bad flag in one line', async () => {
    const result = await retention('--dryrun');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/npm run retention: Unknown option '--dryrun'.*--help/);
  });

  it('--dry-run lists what would go and why, and deletes nothing', async () => {
    const before = await state();
    const result = await retention('--dry-run', '--json');
    expect(result.code, result.stderr).toBe(0);
    const items = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(items.map(itemLine).sort()).toEqual(expectedItems(cases));
    for (const item of items) expect(item.reason).toEqual(expect.any(String));
    expect(result.stderr).toMatch(/dry run: 10 items, 11 rows would go; nothing was deleted/);
    expect(await state()).toBe(before);
    // The table names the same items.
    const shown = await retention('--dry-run');
    expect(shown.stdout).toMatch(/^owner\s+collection\s+subject\s+rows\s+rule\s+reason/);
    expect(shown.stdout).toMatch(new RegExp(`\\nusers +users\\.resumes +${cases.old} +1 +CV_ONE_YEAR +CV received more than 1 year ago`));
  });

  it('refuses in one line while another process holds the embedded database', async () => {
    const held = await createDatabase({ kind: 'pglite', dataDir: env.PGLITE_DIR });
    try {
      const result = await retention('--dry-run');
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/in use by process \d+.*DATABASE_URL/);
    } finally {
      await held.close();
    }
  });

  it('runs once: removes what the dry run listed and records it; a second dry run finds nothing', async () => {
    const result = await retention('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => itemLine(JSON.parse(l))).sort()).toEqual(expectedItems(cases));
    expect(JSON.parse(await state())).toMatchObject({ resumes: 2, work: 2, letters: 2, ads: 0, records: 2, logged: 13 });
    const again = await retention('--dry-run', '--json');
    expect(again.stdout.trim()).toBe('');
  });
});
