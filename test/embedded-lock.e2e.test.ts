// The embedded database serves one process: a second process on the same folder is refused, clearly.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../db/client.ts';
import { EmbeddedDatabaseLockedError } from '../db/embedded-lock.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');

describe('embedded database lock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second process with one line naming DATABASE_URL, exit code 2, and releases on close', async () => {
    const dataDir = path.join(dir, 'held');
    const held = await createDatabase({ kind: 'pglite', dataDir });
    try {
      // A service and the maintenance commands alike: each is refused while the embedded database is held.
      const commands = [['scripts/start-subgraph.ts', 'users'], ['scripts/seed.ts'], ['scripts/migrate.ts'], ['scripts/start.ts']];
      const results = await Promise.all(
        commands.map((args) =>
          run(process.execPath, ['--import', 'tsx', ...args], {
            cwd: ROOT,
            env: { ...process.env, PGLITE_DIR: dataDir, DATABASE_URL: '', USERS_PORT: '0', PORT: '0', EMPLOYERS_PORT: '0', MARKETING_PORT: '0', KEYS_DIR: path.join(dir, 'keys') },
            timeout: 60_000,
          }).then(
            () => ({ args, code: 0, stderr: '' }),
            (error: { code: number; stderr: string }) => ({ args, code: error.code, stderr: error.stderr }),
          ),
        ),
      );
      for (const second of results) {
        const what = second.args.join(' ');
        expect(second.code, what).toBe(2);
        expect(second.stderr, what).toContain(`in use by process ${process.pid}`);
        expect(second.stderr, what).toContain('DATABASE_URL');
        expect(second.stderr.trim().split('\n'), what).toHaveLength(1);
      }
      // The same process opening it twice is refused as well (each open holds its own copy of the data).
      await expect(createDatabase({ kind: 'pglite', dataDir })).rejects.toBeInstanceOf(EmbeddedDatabaseLockedError);
    } finally {
      await held.close();
    }
    const again = await createDatabase({ kind: 'pglite', dataDir });
    await again.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = path.join(dir, 'crashed');
    const first = await createDatabase({ kind: 'pglite', dataDir });
    await first.close();
    const lockFile = `${dataDir}.lock`;
    await writeFile(lockFile, JSON.stringify({ pid: 2 ** 22 + 12_345, startTime: '1', host: os.hostname() }));
    const reopened = await createDatabase({ kind: 'pglite', dataDir });
    await reopened.close();
    expect(existsSync(lockFile)).toBe(false);
  });
});
