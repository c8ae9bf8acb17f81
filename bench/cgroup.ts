// A CPU limit on one bench child, the way a container runtime applies `--cpus` or a Kubernetes CPU limit:
// a CFS quota on a cgroup of its own (cgroup v1 `cpu` controller, or cgroup v2 `cpu.max`). Needs root.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PERIOD_US = 100_000;

interface Hierarchy {
  root: string;
  apply(dir: string, quotaUs: number): void;
}

function hierarchy(): Hierarchy | null {
  const v1 = '/sys/fs/cgroup/cpu';
  if (existsSync(path.join(v1, 'cpu.cfs_quota_us'))) {
    return {
      root: v1,
      apply: (dir, quotaUs) => {
        writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      },
    };
  }
  const v2 = '/sys/fs/cgroup';
  try {
    if (readFileSync(path.join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) {
      return { root: v2, apply: (dir, quotaUs) => writeFileSync(path.join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`) };
    }
  } catch {
    // no cgroup v2 cpu controller
  }
  return null;
}

/** Why CPU limits cannot be applied here, or null when they can. */
export function cpuLimitUnavailable(): string | null {
  const h = hierarchy();
  if (!h) return 'no cgroup cpu controller (cgroup v1 /sys/fs/cgroup/cpu or v2 cpu.max) on this machine';
  const probe = path.join(h.root, `pgw_bench_probe_${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return null;
  } catch (error) {
    return `cannot create a cgroup under ${h.root} (${(error as NodeJS.ErrnoException).code ?? 'error'}; run as root)`;
  }
}

const created = new Set<string>();

/**
 * Moves process `pid` (all its threads) into a new cgroup limited to `cores` CPUs; returns a function that
 * removes the cgroup once the process has exited.
 */
export function limitCpu(pid: number, cores: number, name: string): () => void {
  const h = hierarchy();
  if (!h) throw new Error(cpuLimitUnavailable() ?? 'no cgroup cpu controller');
  const dir = path.join(h.root, `pgw_bench_${process.pid}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`);
  mkdirSync(dir, { recursive: true });
  created.add(dir);
  h.apply(dir, Math.max(1_000, Math.round(cores * PERIOD_US)));
  writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
  return () => removeCgroup(dir);
}

function removeCgroup(dir: string) {
  try {
    rmdirSync(dir);
    created.delete(dir);
  } catch {
    // still has a process in it; retried at exit
  }
}

process.once('exit', () => {
  for (const dir of created) removeCgroup(dir);
});
