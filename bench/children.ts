import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage } from './processes/child.ts';

/** CPU time and memory of a child, as it reports them itself. */
export interface Usage {
  cpuMicros: number;
  /** The part of cpuMicros spent in the kernel (system calls: sockets, and the loopback network stack behind them). */
  systemCpuMicros: number;
  maxRssKb: number;
  rssBytes: number;
  /** The child's own counts (see `counters` in processes/child.ts); empty when it keeps none. */
  counters: Record<string, number>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Pin to these cores with taskset (null: no pinning). */
  cores: string | null;
  nodeFlags?: string[];
}

const live = new Set<ChildProcess>();
let tasksetAvailable: boolean | undefined;

/** Whether `taskset` exists here (Linux util-linux). */
export function hasTaskset(): boolean {
  tasksetAvailable ??= spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
  return tasksetAvailable;
}

/** Pins the calling process (and the threads it starts later) to `cores`. */
export function pinSelf(cores: string): boolean {
  return hasTaskset() && spawnSync('taskset', ['-a', '-c', '-p', cores, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** A bench child process (subgraphs or one gateway) driven over IPC. */
export class BenchChild {
  private nextId = 0;
  private readonly waiting = new Map<number, (usage: Usage) => void>();
  private readonly profiling = new Map<number, () => void>();
  private readonly exited: Promise<number | null>;
  readonly ready: Promise<Record<string, unknown>>;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    live.add(proc);
    this.exited = new Promise((resolve) => proc.once('exit', (code) => (live.delete(proc), resolve(code))));
    this.ready = new Promise((resolve, reject) => {
      proc.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message.info);
        else if (message.type === 'failed') reject(new Error(`${name} failed to start:\n${message.message}`));
        else if (message.type === 'usage') {
          this.waiting.get(message.id)?.(message);
          this.waiting.delete(message.id);
        } else if (message.type === 'profiled') {
          this.profiling.get(message.id)?.();
          this.profiling.delete(message.id);
        }
      });
      void this.exited.then((code) => reject(new Error(`${name} exited with code ${code} before it was ready.`)));
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The child's own CPU time (user + system) and peak RSS so far. */
  usage(): Promise<Usage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      if (!this.proc.connected) reject(new Error(`${this.name} is not running.`));
      else this.proc.send({ type: 'usage', id });
    });
  }

  /** Starts the child's CPU profiler; `stopProfile` writes what it sampled to `file`. */
  startProfile(): Promise<void> {
    return this.profileMessage({ type: 'profile-start' });
  }

  stopProfile(file: string): Promise<void> {
    return this.profileMessage({ type: 'profile-stop', file });
  }

  private profileMessage(message: { type: 'profile-start' } | { type: 'profile-stop'; file: string }): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.profiling.set(id, resolve);
      if (!this.proc.connected) reject(new Error(`${this.name} is not running.`));
      else this.proc.send({ ...message, id });
    });
  }

  /** Asks the child to close its servers and exit (writing its CPU profile, if any); kills it after 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send({ type: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts `file` (TypeScript, run through tsx) as an IPC child, pinned with taskset when asked. */
export function spawnChild(name: string, file: string, options: SpawnOptions): BenchChild {
  const nodeArgs = [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(options.nodeFlags ?? []), '--import', 'tsx', path.resolve(file)];
  const [command, args] =
    options.cores !== null && hasTaskset()
      ? ['taskset', ['-c', options.cores, process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
  const proc = spawn(command, args as string[], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Every child runs as deployed: NODE_ENV=production (graphql-js, for one, drops its development checks).
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
  });
  return new BenchChild(name, proc);
}

/** Kills every child still running (exit, Ctrl-C, crash): no orphans. */
export function killAllChildren(signal: NodeJS.Signals = 'SIGTERM') {
  for (const proc of live) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  }
}

process.once('exit', () => killAllChildren('SIGKILL'));
