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
    // The flags each command takes are described.
    const help = Object.fromEntries(results);
    expect(help.start).toMatch(/^ {2}--seed {2,}\S/m);
    for (const flag of ['--candidates', '--seed', '--reset']) expect(help.seed).toMatch(new RegExp(`^ {2}${flag} `, 'm'));
    for (const flag of ['--role', '--sub', '--org', '--purposes', '--ttl']) expect(help.token).toContain(flag);
  }, 90_000);
});

describe('a bad flag', () => {
  it('is one line on stderr and exit code 2, for every command that takes flags', async () => {
    const cases = [
      ['start', '--sed'],
      ['start', '--seed=1'],
      ['seed', '--candidate=3'],
      ['seed', '--candidates', 'many'],
      ['token', '--rol', 'candidate'],
    ];
    const results = await Promise.all(
      cases.map(([name, ...args]) =>
        run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], {
          env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
          timeout: 60_000,
        }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
        ),
      ),
    );
    results.forEach((result, i) => {
      const what = cases[i]!.join(' ');
      expect(result.code, what).toBe(2);
      expect(result.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(result.stderr, what).toMatch(/-- --help`\.$/m);
    });
  }, 90_000);
});
