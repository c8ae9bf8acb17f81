import { SCENARIOS, type ResponseSummary, type ScenarioId } from './scenarios.ts';
import { statisticsLatencyMarkdown, type StatisticsLatency } from './statistics-latency.ts';
import type { LoadResult } from './load.ts';

/** One measured run of one scenario in one round. */
export interface RunRecord {
  scenario: ScenarioId;
  round: number;
  connections: number;
  load: LoadResult;
  /** CPU time of the gateway child answering, per response. */
  targetCpuMicrosPerRequest: number;
  /** The kernel's part of it (system time: sockets, and on loopback the network stack of both ends); absent in older results. */
  targetSystemCpuMicrosPerRequest?: number;
  /** CPU time of the subgraphs process per response. */
  subgraphsCpuMicrosPerRequest: number;
  /** Peak RSS of the answering process so far (kB). */
  targetMaxRssKb: number;
  /** CPU time of the orchestrator and the load generator (with the response checks) per response. */
  loadGeneratorCpuMicrosPerRequest: number;
  /** Cores the whole machine kept busy during the run (/proc/stat). */
  machineBusyCores: number;
  /** Busy cores not accounted for by the gateway, subgraphs and load generator: the database server, and anything else running. */
  otherBusyCores: number;
  /** The answering process's own counts during the run (the peers: requests served, subgraph fetches sent). */
  targetCounters?: Record<string, number>;
}

export interface PhaseRecord {
  candidates: number;
  /** CPUs the gateway under test was limited to (cgroup quota); null: its whole core. */
  cpuLimit?: number | null;
  database: { label: string; kind: string; employerId: string; visibleToEmployer: number; grantedByBench: number; seededMs: number | null };
  references: Partial<Record<ScenarioId, ResponseSummary>>;
  /** Scenarios left out because their reference response failed validation. */
  invalid: Partial<Record<ScenarioId, string[]>>;
  runs: RunRecord[];
}

export interface Stats {
  median: number;
  min: number;
  max: number;
}

export interface ScenarioSummary {
  scenario: ScenarioId;
  connections: number;
  rounds: number;
  rps: Stats;
  p50Ms: Stats;
  p99Ms: Stats;
  cpuMicrosPerRequest: Stats;
  subgraphsCpuMicrosPerRequest: Stats;
  peakRssMb: number;
  otherBusyCores: Stats;
  responses: number;
  matched: number;
  mismatched: number;
  unverifiable: number;
  non2xx: number;
  errors: number;
}

export function stats(values: number[]): Stats {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export function summarizeRuns(runs: RunRecord[]): ScenarioSummary[] {
  const out: ScenarioSummary[] = [];
  for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
    const mine = runs.filter((r) => r.scenario === id);
    if (mine.length === 0) continue;
    const sum = (f: (r: RunRecord) => number) => mine.reduce((a, r) => a + f(r), 0);
    out.push({
      scenario: id,
      connections: mine[0]!.connections,
      rounds: mine.length,
      rps: stats(mine.map((r) => r.load.rps)),
      p50Ms: stats(mine.map((r) => r.load.p50Ms)),
      p99Ms: stats(mine.map((r) => r.load.p99Ms)),
      cpuMicrosPerRequest: stats(mine.map((r) => r.targetCpuMicrosPerRequest)),
      subgraphsCpuMicrosPerRequest: stats(mine.map((r) => r.subgraphsCpuMicrosPerRequest)),
      peakRssMb: Math.max(...mine.map((r) => r.targetMaxRssKb)) / 1024,
      otherBusyCores: stats(mine.map((r) => r.otherBusyCores)),
      responses: sum((r) => r.load.responses),
      matched: sum((r) => r.load.matched),
      mismatched: sum((r) => r.load.mismatched),
      unverifiable: sum((r) => r.load.unverifiable),
      non2xx: sum((r) => r.load.non2xx),
      errors: sum((r) => r.load.errors),
    });
  }
  return out;
}

/** Ratios computed within each round, then summarized over rounds. */
export const RATIOS = [
  ['A′', 'A'],
  ['B', 'A'],
  ['C', 'A'],
  ['D', 'AD'],
  ['AD′', 'AD'],
  ['D', 'AD′'],
  ['D', 'A'],
  ['B', 'A′'],
  ['B', 'B-nolog'],
  ['D', 'D-nolog'],
  ['B', 'H'],
  ['B', 'H-rust'],
  ['D', 'HD'],
  ['D', 'HD-rust'],
] as const satisfies readonly (readonly [ScenarioId, ScenarioId])[];

export interface RatioSummary {
  name: string;
  perRound: number[];
  stats: Stats;
}

export function ratios(runs: RunRecord[]): RatioSummary[] {
  const out: RatioSummary[] = [];
  const rounds = [...new Set(runs.map((r) => r.round))];
  const rps = (id: ScenarioId, round: number) => runs.find((r) => r.scenario === id && r.round === round)?.load.rps;
  for (const [top, bottom] of RATIOS) {
    const perRound = rounds.flatMap((round) => {
      const a = rps(top, round);
      const b = rps(bottom, round);
      return a !== undefined && b !== undefined ? [a / b] : [];
    });
    if (perRound.length > 0) out.push({ name: `${top}/${bottom}`, perRound, stats: stats(perRound) });
  }
  return out;
}

/**
 * The same pairs compared by the gateway's CPU time per request (bottom / top), within each round: how many more
 * requests one core of the top gateway would serve.
 */
export function cpuRatios(runs: RunRecord[]): RatioSummary[] {
  const out: RatioSummary[] = [];
  const rounds = [...new Set(runs.map((r) => r.round))];
  const cpu = (id: ScenarioId, round: number) => runs.find((r) => r.scenario === id && r.round === round)?.targetCpuMicrosPerRequest;
  for (const [top, bottom] of RATIOS) {
    const perRound = rounds.flatMap((round) => {
      const a = cpu(top, round);
      const b = cpu(bottom, round);
      return a !== undefined && b !== undefined ? [b / a] : [];
    });
    if (perRound.length > 0) out.push({ name: `${top}/${bottom}`, perRound, stats: stats(perRound) });
  }
  return out;
}

/** Added p50 latency of B over A′ at one connection, per round (ms). */
export function addedLatency(runs: RunRecord[]): { perRound: number[]; stats: Stats } | null {
  const rounds = [...new Set(runs.map((r) => r.round))];
  const perRound = rounds.flatMap((round) => {
    const b = runs.find((r) => r.scenario === 'B@1' && r.round === round)?.load.p50Ms;
    const a = runs.find((r) => r.scenario === 'A′@1' && r.round === round)?.load.p50Ms;
    return a !== undefined && b !== undefined ? [b - a] : [];
  });
  return perRound.length > 0 ? { perRound, stats: stats(perRound) } : null;
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const range = (s: Stats, f: (n: number) => string) => `${f(s.min)}–${f(s.max)}`;

export function scenarioTable(summaries: ScenarioSummary[]): string {
  const lines = [
    '| scenario | conns | req/s median | req/s min–max | p50 ms | p99 ms | CPU µs/req | subgraphs CPU µs/req | peak RSS MB | other busy cores | responses checked |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of summaries) {
    const checked =
      s.mismatched + s.non2xx + s.errors === 0
        ? `${s.matched.toLocaleString('en')} ok${s.unverifiable > 0 ? `, ${s.unverifiable} split` : ''}`
        : `**${s.mismatched} differ, ${s.non2xx} non-2xx, ${s.errors} errors** of ${s.responses}`;
    const cpu = f0(s.cpuMicrosPerRequest.median);
    lines.push(
      `| ${s.scenario} | ${s.connections} | ${f0(s.rps.median)} | ${range(s.rps, f0)} | ${f2(s.p50Ms.median)} | ${f2(s.p99Ms.median)} | ${cpu} | ${f0(s.subgraphsCpuMicrosPerRequest.median)} | ${s.peakRssMb.toFixed(0)} | ${f2(s.otherBusyCores.median)} | ${checked} |`,
    );
  }
  return lines.join('\n');
}

export function ratioTable(list: RatioSummary[], cpu: RatioSummary[], latency: ReturnType<typeof addedLatency>): string {
  // D's budget is against plain Apollo Gateway on the same employer page (AD); D/A compares different pages.
  const budget: Record<string, number> = { 'B/A': 1.2, 'B/A′': 0.95, 'D/AD': 1.0, 'B/H-rust': 1.0 };
  const verdict = (value: number, target: number | undefined) => (target === undefined ? '' : value >= target ? 'holds' : '**missed**');
  const lines = [
    '| ratio | req/s median | req/s min–max | req/s per round | budget | req/s verdict | gateway CPU ratio median (capacity per core) | CPU per round | CPU verdict |',
    '|---|---:|---:|---|---|---|---:|---|---|',
  ];
  for (const r of list) {
    const target = budget[r.name];
    const c = cpu.find((x) => x.name === r.name);
    lines.push(
      `| ${r.name} | ${f2(r.stats.median)} | ${range(r.stats, f2)} | ${r.perRound.map(f2).join(', ')} | ${target === undefined ? '' : `≥ ${target}`} | ${verdict(r.stats.median, target)} | ${c ? f2(c.stats.median) : '–'} | ${c ? c.perRound.map(f2).join(', ') : ''} | ${c ? verdict(c.stats.median, target) : ''} |`,
    );
  }
  if (latency) {
    lines.push(
      `| added p50 latency B@1 − A′@1 (ms) | ${f2(latency.stats.median)} | ${range(latency.stats, f2)} | ${latency.perRound.map(f2).join(', ')} | ≤ 0.5 ms | ${latency.stats.median <= 0.5 ? 'holds' : '**missed**'} | | | |`,
    );
  }
  return lines.join('\n');
}

/** Everything one run produced (the JSON file holds this plus derived summaries). */
export interface BenchReport {
  date: string;
  machine: { cpu: string; memoryGiB: number; os: string; node: string; database: string };
  settings: {
    connections: number;
    latencyConnections: number;
    warmupSeconds: number;
    durationSeconds: number;
    rounds: number;
    pinning: { gateway: string; rest: string | null } | null;
    profiled: string[];
    quick: boolean;
    /** "wrk 4.1.0" or "autocannon"; absent in results written before wrk could be chosen (autocannon). */
    loadGenerator?: string;
    /** The pages' plan (scenarios.ts PAGE_QUERIES). */
    plan?: string;
  };
  phases: PhaseRecord[];
  /** The grouped-count latency measured after the phases; absent when left out. */
  statistics?: StatisticsLatency;
}

/** The access-log writer's figures over one run, from the counts our gateway child reports; null when it reported none. */
export function writerFigures(run: Pick<RunRecord, 'targetCounters'> & { load: Pick<LoadResult, 'seconds'> }) {
  const counts = run.targetCounters;
  if (!counts || counts.auditRows === undefined) return null;
  const c = (name: string) => counts[name] ?? 0;
  return {
    rowsPerSecond: c('auditRows') / Math.max(1e-9, run.load.seconds),
    batches: c('auditBatches'),
    rowsPerBatch: c('auditRows') / Math.max(1, c('auditBatches')),
    commitP50Ms: c('gauge.auditCommitP50Ms'),
    commitP99Ms: c('gauge.auditCommitP99Ms'),
    provisionRecords: c('auditProvisionRecords'),
    /** Records of failed batches and records refused at once (queue full, closed). */
    failed: c('auditFailedRows'),
    /** Records whose commit took longer than the timeout (their batch may still have committed, or failed too). */
    timedOut: c('auditTimeouts'),
  };
}

/**
 * The access-log writer during each scenario's measured runs (ours with the log on): rows written per second, the
 * mean batch (rows per insert: group commit), the commit latency over the run's last 1,024 batches, and records that
 * failed or timed out (a timed-out record whose batch then failed counts in both). Medians over rounds; null when no
 * run carried the writer's counts.
 */
export function auditTable(runs: RunRecord[]): string | null {
  const lines: string[] = [];
  for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
    const mine = runs.filter((r) => r.scenario === id).flatMap((r) => writerFigures(r) ?? []);
    if (mine.length === 0) continue;
    const median = (f: (w: (typeof mine)[number]) => number) => stats(mine.map(f)).median;
    const total = (f: (w: (typeof mine)[number]) => number) => mine.reduce((a, w) => a + f(w), 0);
    lines.push(
      `| ${id} | ${f0(median((w) => w.rowsPerSecond))} | ${median((w) => w.rowsPerBatch).toFixed(1)} | ${f2(median((w) => w.commitP50Ms))} / ${f2(median((w) => w.commitP99Ms))} | ` +
        `${f0(total((w) => w.provisionRecords))} | ${f0(total((w) => w.failed + w.timedOut))} |`,
    );
  }
  if (lines.length === 0) return null;
  return [
    'The access-log writer during the measured runs (medians over rounds; commit latency over each run\'s last 1,024 batches):',
    '',
    '| scenario | log rows/s | rows per batch | commit p50 / p99 ms | provision records inserted | failed |',
    '|---|---:|---:|---:|---:|---:|',
    ...lines,
  ].join('\n');
}

export function renderMarkdown(report: BenchReport, profiles: string[]): string {
  const { machine: host, settings } = report;
  const sections: string[] = [
    `# Gateway benchmark ${report.date}`,
    '',
    `Machine: ${host.cpu}, ${host.memoryGiB} GiB RAM, ${host.os}, Node ${host.node}, ${host.database}.`,
    settings.pinning
      ? `Gateway under test pinned to core ${settings.pinning.gateway}; subgraphs process, the load generator and the orchestrator on core ${settings.pinning.rest}; the database server unpinned.`
      : 'No core pinning.',
    `Load: ${settings.loadGenerator ?? 'autocannon'}, ${settings.connections} connections (latency runs: ${settings.latencyConnections}), ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured per run, ${settings.rounds} round(s), order reversed every other round. Every process runs with NODE_ENV=production.`,
    settings.plan === 'search'
      ? 'Pages: the candidate search (`candidates(first: 50 | 100)`), answered by the users subgraph in one fetch.'
      : 'Pages: a job\'s applicants (`job(id) { applications(first: 50 | 100) { nodes { candidate { … } } } }`): employers answers the page, users the candidates in one entity fetch — the plan the candidate search had before it moved to the users subgraph.',
    settings.profiled.length > 0
      ? `**Profiled run (${settings.profiled.join(', ')}: V8 CPU profiler on during the measured runs): figures are slowed by the profiler.**`
      : '',
    '',
  ];
  for (const phase of report.phases) {
    const summaries = summarizeRuns(phase.runs);
    sections.push(
      `## ${phase.candidates.toLocaleString('en')} candidates${phase.cpuLimit ? `, gateway under test limited to ${phase.cpuLimit} CPU` : ''}`,
      '',
      `Database: ${phase.database.label}. Scenario D's employer sees ${phase.database.visibleToEmployer.toLocaleString('en')} consenting candidates.`,
      '',
      scenarioTable(summaries),
      '',
      ratioTable(ratios(phase.runs), cpuRatios(phase.runs), addedLatency(phase.runs)),
      '',
      ...(auditTable(phase.runs) ? [auditTable(phase.runs)!, ''] : []),
      ...(phase.cpuLimit
        ? [
            `Every gateway (A's included) runs under the same cgroup CPU quota of ${phase.cpuLimit} CPU, as under a container CPU limit: the gateway, not the subgraphs or the database, sets the pace, so req/s ratios compare the gateways' work per request.`,
            '',
          ]
        : []),
      ...Object.entries(phase.invalid).map(([id, problems]) => `- **${id} skipped**: ${(problems ?? []).join('; ')}`),
      '',
    );
  }
  const unlimited = report.phases.filter((p) => !p.cpuLimit);
  if (unlimited.length > 1) {
    sections.push('## Scale: scenario D', '', '| candidates | D req/s median (min–max) | p50 ms | p99 ms | CPU µs/req | subgraphs CPU µs/req | D/AD req/s | D/AD CPU |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const phase of unlimited) {
      const d = summarizeRuns(phase.runs).find((s) => s.scenario === 'D');
      const ratio = ratios(phase.runs).find((r) => r.name === 'D/AD');
      const cpu = cpuRatios(phase.runs).find((r) => r.name === 'D/AD');
      if (!d) continue;
      sections.push(
        `| ${phase.candidates.toLocaleString('en')} | ${f0(d.rps.median)} (${f0(d.rps.min)}–${f0(d.rps.max)}) | ${f2(d.p50Ms.median)} | ${f2(d.p99Ms.median)} | ${f0(d.cpuMicrosPerRequest.median)} | ${f0(d.subgraphsCpuMicrosPerRequest.median)} | ${ratio ? f2(ratio.stats.median) : '–'} | ${cpu ? f2(cpu.stats.median) : '–'} |`,
      );
    }
    sections.push('');
  }
  sections.push(
    'Scenarios:',
    '',
    ...Object.values(SCENARIOS)
      .filter((s) => report.phases.some((p) => p.runs.some((r) => r.scenario === s.id)))
      .map((s) => `- **${s.id}**: ${s.description}`),
    '',
    'CPU µs/req: CPU time (user + system) of the answering process during the measured run divided by the responses completed. ' +
      'Ratios are computed within each round: req/s ratios, and gateway CPU ratios (CPU µs/req of the bottom scenario over the top one). ' +
      '"other busy cores": machine CPU not spent by the gateway, the subgraphs or the load generator (the database server and anything else running).',
    '',
    ...(report.statistics ? ['## Statistics: a grouped count of candidates', '', statisticsLatencyMarkdown(report.statistics), ''] : []),
    ...(profiles.length > 0 ? ['## CPU profiles', '', ...profiles, ''] : []),
  );
  return sections.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n');
}
