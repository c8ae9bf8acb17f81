import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Instance } from 'autocannon';

/** The load generators the bench can drive: wrk (C, when installed) or autocannon (Node, from npm). */
export type LoadGenerator = 'wrk' | 'autocannon';

let wrkVersion: string | null | undefined;

/** wrk's version line when it is on the PATH, else null. */
export function installedWrk(): string | null {
  if (wrkVersion === undefined) {
    const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    wrkVersion = probe.error ? null : (`${probe.stdout}${probe.stderr}`.match(/wrk \S+/)?.[0] ?? 'wrk');
  }
  return wrkVersion;
}

/** One HTTP request a run repeats, and the body every response must equal. */
export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The validated reference response of this scenario; every response is compared with it. */
  expectedBody: string;
}

export interface LoadResult {
  responses: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses byte-identical to the validated reference. */
  matched: number;
  mismatched: number;
  /** Bodies autocannon split inside a multi-byte character (it decodes chunk by chunk), so not comparable. */
  unverifiable: number;
  firstMismatch: string | null;
}

let current: Instance | null = null;
let currentWrk: ChildProcess | null = null;

/** Stops the load generator if a run is in progress (Ctrl-C). */
export function stopLoad() {
  current?.stop();
  currentWrk?.kill('SIGKILL');
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU time in microseconds of this process and of the children it has waited for (each wrk run, once it exits):
 * the load generator's share of its core, whichever generator runs. Children's time comes from /proc (Linux).
 */
export function loadGeneratorCpuMicros(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, so cutime and cstime (fields 16 and 17) are at 13 and 14 here.
    children = ((Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS) * 1e6;
  } catch {
    // Not Linux: children are not counted.
  }
  return own.user + own.system + (Number.isFinite(children) ? children : 0);
}

/** Drives `target` at a fixed number of connections for `seconds` with the given load generator. */
export function runLoad(target: LoadTarget, options: { connections: number; seconds: number; generator: LoadGenerator }): Promise<LoadResult> {
  return options.generator === 'wrk' ? runWrk(target, options) : runAutocannon(target, options);
}

const WRK_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wrk', 'check.lua');

interface WrkSummary {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  matched: number;
  mismatched: number;
}

/**
 * Drives `target` with wrk (one thread: it shares the load generator's core with the subgraphs). Its Lua script
 * compares every whole body with the reference, so no body is left unverifiable; latencies are in microseconds.
 */
async function runWrk(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pgw-wrk-'));
  try {
    const headers = Object.entries(target.headers).map(([name, value]) => `${name}: ${value}`);
    if (headers.some((line) => /[\r\n]/.test(line))) throw new Error('A load header holds a line break.');
    await Promise.all([
      writeFile(path.join(dir, 'body'), target.body),
      writeFile(path.join(dir, 'expected'), target.expectedBody),
      writeFile(path.join(dir, 'headers'), headers.join('\n')),
    ]);
    const args = ['-t', '1', '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', '30s', '-s', WRK_SCRIPT, target.url];
    const child = spawn('wrk', args, { env: { ...process.env, BENCH_WRK_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    currentWrk = child;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    currentWrk = null;
    const line = output.split('\n').find((l) => l.startsWith('BENCH_WRK '));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${output.slice(0, 2_000)}`);
    const summary = JSON.parse(line.slice('BENCH_WRK '.length)) as WrkSummary;
    const seconds = summary.durationUs / 1e6;
    const firstMismatch = summary.mismatched + summary.status > 0 ? (await readFile(path.join(dir, 'mismatch'), 'utf8').catch(() => '')).slice(0, 2_000) : null;
    return {
      responses: summary.requests,
      seconds,
      rps: summary.requests / seconds,
      p50Ms: summary.p50Us / 1000,
      p99Ms: summary.p99Us / 1000,
      meanMs: summary.meanUs / 1000,
      non2xx: summary.status,
      errors: summary.connect + summary.read + summary.write + summary.timeout,
      matched: summary.matched,
      mismatched: summary.mismatched,
      unverifiable: 0,
      firstMismatch,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Drives `target` with autocannon at a fixed number of connections for `seconds`.
 * Latencies are kept at full (sub-millisecond) precision here: autocannon's own histogram rounds to whole milliseconds.
 */
async function runAutocannon(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let matched = 0;
  let mismatched = 0;
  let unverifiable = 0;
  let firstMismatch: string | null = null;
  const url = new URL(target.url);
  const instance = autocannon({
    url: url.origin,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: url.pathname,
        headers: target.headers,
        body: target.body,
        onResponse: (_status, body) => {
          if (body === target.expectedBody) matched++;
          else if (body.includes('\uFFFD')) unverifiable++;
          else {
            mismatched++;
            firstMismatch ??= body.slice(0, 2_000);
          }
        },
      },
    ],
  });
  current = instance;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  current = null;
  const sorted = Float64Array.from(latencies).sort();
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const responses = latencies.length;
  return {
    responses,
    seconds,
    rps: responses / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: responses > 0 ? latencies.reduce((a, b) => a + b, 0) / responses : Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    matched,
    mismatched,
    unverifiable,
    firstMismatch,
  };
}
