// Summarizes a V8 .cpuprofile: top self-time functions overall and in this repository, and time per package.
// Usage: npx tsx bench/profile.ts bench/tmp/profiles/B-….cpuprofile [top]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Busy time: everything but (idle). */
  busyMs: number;
  top: { name: string; where: string; selfMs: number; percentOfBusy: number }[];
  ours: { name: string; where: string; selfMs: number; percentOfBusy: number }[];
  byPackage: { name: string; selfMs: number; percentOfBusy: number }[];
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (file.startsWith(ROOT)) return `ours: ${path.relative(ROOT, file).split('/')[0]}/`;
  return file;
}

function where(url: string, line: number): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  const shown = nm >= 0 ? file.slice(nm + 'node_modules/'.length) : file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
  return `${shown}:${line + 1}`;
}

/** Self time per function of a V8 CPU profile. */
export function summarizeProfile(profile: CpuProfile, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta);
  }
  const functions = new Map<string, { name: string; where: string; url: string; selfUs: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    if (functionName === '(idle)') idleUs += us;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where: where(url, lineNumber), url, selfUs: 0 };
    entry.selfUs += us;
    functions.set(key, entry);
  }
  const busyUs = totalUs - idleUs;
  const rows = [...functions.values()].filter((f) => f.name !== '(idle)').sort((a, b) => b.selfUs - a.selfUs);
  const shape = (f: { name: string; where: string; selfUs: number }) => ({
    name: f.name,
    where: f.where,
    selfMs: f.selfUs / 1000,
    percentOfBusy: (100 * f.selfUs) / busyUs,
  });
  const packages = new Map<string, number>();
  for (const f of rows) {
    const name = f.name.startsWith('(') && f.name !== '(anonymous)' ? f.name : packageOf(f.url);
    packages.set(name, (packages.get(name) ?? 0) + f.selfUs);
  }
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    top: rows.slice(0, topN).map(shape),
    ours: rows.filter((f) => packageOf(f.url).startsWith('ours:')).slice(0, topN).map(shape),
    byPackage: [...packages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percentOfBusy: (100 * us) / busyUs })),
  };
}

export function profileMarkdown(title: string, s: ProfileSummary): string {
  const table = (rows: { name: string; where?: string; selfMs: number; percentOfBusy: number }[]) =>
    ['| self ms | % of busy | function | where |', '|---:|---:|---|---|', ...rows.map((r) => `| ${r.selfMs.toFixed(0)} | ${r.percentOfBusy.toFixed(1)} | ${r.name} | ${r.where ?? ''} |`)].join('\n');
  return [
    `### ${title}`,
    '',
    `Busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s profiled.`,
    '',
    'Self time by package:',
    '',
    table(s.byPackage),
    '',
    'Top self-time functions:',
    '',
    table(s.top),
    '',
    'Top self-time functions in this repository:',
    '',
    table(s.ours),
  ].join('\n');
}

export async function readProfile(file: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('Usage: npx tsx bench/profile.ts <file.cpuprofile> [top]');
    process.exit(1);
  }
  console.log(profileMarkdown(path.basename(file), summarizeProfile(await readProfile(file), Number(top ?? 25))));
}
