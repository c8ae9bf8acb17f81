// How every long-running command stops: on SIGTERM, SIGINT or SIGHUP, or when the process that started it is gone.

/** Extra time beyond the drain bound for closing pools and plugins before the process gives up and exits 1. */
const CLOSE_MARGIN_MS = 5_000;

/**
 * Calls `stop` once, on the first of SIGTERM, SIGINT, SIGHUP or the parent's death (a supervisor killed without
 * passing the signal on leaves this process re-parented: it stops instead of serving as an orphan). `stop` should
 * stop accepting, let requests in flight finish within `timeoutMs`, close plugins and pools, and exit 0; if it has
 * not exited `timeoutMs` + 5 s later, the process exits 1.
 * @example stopOnSignals(async () => { await gateway.close(); await handle.close(); process.exit(0); }, { timeoutMs: 10_000 });
 */
export function stopOnSignals(stop: () => Promise<void>, options: { timeoutMs: number }): void {
  let stopping = false;
  const begin = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error(`Shutdown did not finish within ${options.timeoutMs + CLOSE_MARGIN_MS} ms; exiting.`);
      process.exit(1);
    }, options.timeoutMs + CLOSE_MARGIN_MS).unref();
    stop().catch(() => process.exit(1));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, begin);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) begin();
  }, 1_000).unref();
}
