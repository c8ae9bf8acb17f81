import autocannon, { type Instance } from 'autocannon';

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

/** Stops the load generator if a run is in progress (Ctrl-C). */
export function stopLoad() {
  current?.stop();
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * Drives `target` with autocannon at a fixed number of connections for `seconds`.
 * Latencies are kept at full (sub-millisecond) precision here: autocannon's own histogram rounds to whole milliseconds.
 */
export async function runLoad(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
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
