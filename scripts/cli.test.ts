// Every command answers --help with its usage and exit code 0, without touching a database.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const COMMANDS = ['start', 'start-gateway', 'start-subgraph', 'token', 'seed', 'migrate', 'reset-database', 'privacy-map', 'compose'];

describe('--help', () => {
  it('every script answers it', async () => {
    const results = await Promise.all(
      COMMANDS.map(async (name) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, '--help'], {
          env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
          timeout: 60_000,
        });
        return [name, stdout] as const;
      }),
    );
    for (const [name, stdout] of results) expect(stdout, name).toMatch(/^usage: npm (start|run)/i);
  }, 90_000);
});
