// The parent side talks to every bench child over Node's IPC channel; this is the child side.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** Messages a bench child sends to the orchestrator. */
export type ChildMessage =
  | { type: 'ready'; info: Record<string, unknown> }
  | { type: 'usage'; id: number; cpuMicros: number; systemCpuMicros: number; maxRssKb: number; rssBytes: number; counters: Record<string, number> }
  | { type: 'failed'; message: string }
  | { type: 'profiled'; id: number };

/** Messages the orchestrator sends to a bench child. */
export type ParentMessage =
  | { type: 'usage'; id: number }
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; file: string }
  | { type: 'stop' };

let session: Session | null = null;

/** Counts a child keeps of its own work (e.g. requests served, subgraph fetches sent), reported with every usage reply. */
export const counters: Record<string, number> = {};

/** The V8 CPU profiler (what `node --cpu-prof` uses), started and stopped around one measured run. */
async function profile(message: Extract<ParentMessage, { type: 'profile-start' | 'profile-stop' }>) {
  if (message.type === 'profile-start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
  } else if (session) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = null;
    await writeFile(message.file, JSON.stringify(profile));
  }
  send({ type: 'profiled', id: message.id });
}

function send(message: ChildMessage) {
  process.send?.(message);
}

/**
 * Wires a child: answers CPU/RSS queries, stops on `stop`, SIGTERM, SIGINT or when the parent goes away
 * (so no child outlives the bench), and exits through `process.exit` so `--cpu-prof` profiles are written.
 */
export function runChild(start: () => Promise<{ info: Record<string, unknown>; close: () => Promise<void> }>) {
  if (!process.send) throw new Error('This file is started by bench/run.ts over IPC.');
  let close: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 5_000);
    timer.unref();
    await close?.().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'usage') {
      const cpu = process.cpuUsage();
      send({
        type: 'usage',
        id: message.id,
        cpuMicros: cpu.user + cpu.system,
        systemCpuMicros: cpu.system,
        maxRssKb: process.resourceUsage().maxRSS,
        rssBytes: process.memoryUsage.rss(),
        counters: { ...counters },
      });
    } else if (message.type === 'profile-start' || message.type === 'profile-stop') void profile(message);
    else if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  start().then(
    (started) => {
      close = started.close;
      if (stopping) void started.close();
      else send({ type: 'ready', info: started.info });
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}
