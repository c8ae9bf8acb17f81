// Several gateway workers on one machine, sharing one port (node:cluster), as Hive Gateway's --fork does: the primary
// forks them, replaces one that dies, and on SIGTERM/SIGINT/SIGHUP passes the signal on and waits for every worker
// to finish its requests before it exits. Each worker is an ordinary gateway process (its own pools and caches).
import cluster, { type Worker } from 'node:cluster';

export interface WorkersOptions {
  /** How many workers (≥ 2; 1 runs no primary at all). */
  count: number;
  /** How long the primary waits for its workers to stop after a signal before it kills them (ms). */
  stopTimeoutMs: number;
  /** Where the primary reports (defaults to the console); never personal data, only worker numbers and codes. */
  log?: (line: string) => void;
}

/** Forks are replaced at most this often, so a worker failing at start-up does not spin the machine. */
const RESPAWN_DELAY_MS = 1_000;

/**
 * In the primary: forks `count` workers and supervises them, and resolves false (the caller does nothing else).
 * In a worker (or with `count` 1): resolves true, and the caller starts the gateway as usual.
 * @example if (await asWorker({ count: config.gatewayWorkers, stopTimeoutMs: 10_000 })) await startTheGateway();
 */
export async function asWorker(options: WorkersOptions): Promise<boolean> {
  if (options.count <= 1 || !cluster.isPrimary) return true;
  const log = options.log ?? ((line: string) => console.log(line));
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      log(`gateway worker ${worker.id} exited (${signal ?? `code ${code}`}); starting another`);
      setTimeout(() => {
        if (!stopping) fork();
      }, RESPAWN_DELAY_MS).unref();
    });
    return worker;
  };
  for (let i = 0; i < options.count; i++) fork();
  log(`gateway: ${options.count} workers sharing the port (pid ${process.pid} supervises them)`);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    for (const worker of workers) worker.process.kill(signal);
    const killer = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, options.stopTimeoutMs);
    killer.unref();
    void Promise.all(workers.map((w) => (w.isDead() ? undefined : new Promise((resolve) => w.once('exit', resolve))))).then(() => {
      clearTimeout(killer);
      process.exit(0);
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => stop(signal));
  return false;
}
