// Runs the project's commands as real processes, the way an operator types them.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.join(import.meta.dirname, '..');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCommand {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout matches `until`; rejects with the output if the process ends first or time runs out. */
  readonly ready: Promise<void>;
  readonly finished: Promise<Finished>;
  /** SIGTERM, then the process's end. */
  stop(): Promise<Finished>;
}

/**
 * Starts `node --import tsx <script> …args` in the project folder with exactly `env` added to this process's.
 * @example const start = runCommand(['scripts/start.ts', '--seed'], { DATABASE_URL: url }); await start.ready;
 */
export function runCommand(args: readonly string[], env: Record<string, string>, options: { until?: RegExp; timeoutMs?: number } = {}): RunningCommand {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const until = options.until ?? /\nReady in /;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready in time\n${stdout}\n${stderr}`)), options.timeoutMs ?? 90_000);
    const check = () => {
      if (!until.test(stdout)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', check);
    void finished.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')}: ended (exit code ${code}) before it was ready\n${stdout}\n${stderr}`));
    });
  });
  ready.catch(() => {});
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    ready,
    finished,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return finished;
    },
  };
}

/** Runs a command to its end. */
export function runToEnd(args: readonly string[], env: Record<string, string>): Promise<Finished> {
  return runCommand(args, env, { until: /(?!)/ }).finished;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a process the test starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
