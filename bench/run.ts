// `npm run bench`: the cost of enforcement against plain @apollo/gateway, measured with wrk or autocannon. See bench/README.md.
import { measureStatisticsLatency, type StatisticsLatency } from './statistics-latency.ts';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { request } from 'undici';
import type { Purpose } from '../directives/purposes.ts';
import type { Role } from '../directives/roles.ts';
import type { AuthOptions } from '../gateway/plugins/authentication/auth.ts';
import type { SubgraphName } from '../gateway/config.ts';
import { composeSupergraph } from '../scripts/composition.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { loadOrCreateDevKeys, type DevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { cpuLimitUnavailable, limitCpu } from './cgroup.ts';
import { hasTaskset, killAllChildren, pinSelf, spawnChild, type BenchChild, type Usage } from './children.ts';
import { prepareDatabase, type BenchDatabase } from './database.ts';
import { installedWrk, loadGeneratorCpuMicros, runLoad, stopLoad, type LoadTarget } from './load.ts';
import { BenchUsageError, parseBenchOptions, type BenchOptions } from './options.ts';
import type { GatewayChildConfig } from './processes/gateway.ts';
import { profileMarkdown, readProfile, summarizeProfile } from './profile.ts';
import { addedLatency, cpuRatios, ratios, renderMarkdown, summarizeRuns, writerFigures, type BenchReport, type PhaseRecord, type RunRecord } from './report.ts';
import {
  PAGE_QUERIES,
  LEGAL_BASIS_REFERENCE,
  SCENARIOS,
  summarize,
  validate,
  type GraphQLBody,
  type ScenarioId,
  type ScenarioSpec,
  type TargetId,
} from './scenarios.ts';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const TMP = path.resolve('bench', 'tmp');
const KEYS_DIR = path.join(TMP, 'keys');
const PROFILE_DIR = path.join(TMP, 'profiles');
const log = (line: string) => console.log(`[bench] ${line}`);

/** The gateway child behind each gateway target. */
const GATEWAYS: Record<TargetId, Pick<GatewayChildConfig, 'kind' | 'enforcement' | 'planner' | 'audit'>> = {
  A: { kind: 'plain', enforcement: false },
  'A′': { kind: 'ours', enforcement: false },
  B: { kind: 'ours', enforcement: true },
  'B-nolog': { kind: 'ours', enforcement: true, audit: false },
  C: { kind: 'ours', enforcement: true },
  D: { kind: 'ours', enforcement: true },
  'D-nolog': { kind: 'ours', enforcement: true, audit: false },
  H: { kind: 'hive', enforcement: false, planner: 'js' },
  'H-rust': { kind: 'hive', enforcement: false, planner: 'rust' },
};

interface Caller {
  role: Role;
  purposes: Purpose[];
  purpose: Purpose;
  org: string | null;
  legalBasis: string | null;
}

function callerFor(kind: ScenarioSpec['caller'], employerId: string): Caller {
  if (kind === 'support') return { role: 'support', purposes: ['FRAUD_PREVENTION'], purpose: 'FRAUD_PREVENTION', org: null, legalBasis: null };
  if (kind === 'employer') return { role: 'employer', purposes: ['EMPLOYER_DISCLOSURE'], purpose: 'EMPLOYER_DISCLOSURE', org: employerId, legalBasis: null };
  return { role: 'compliance', purposes: ['LEGAL_OBLIGATION'], purpose: 'LEGAL_OBLIGATION', org: null, legalBasis: LEGAL_BASIS_REFERENCE };
}

/** Cores of the machine (not of this process's affinity, which the bench narrows to the non-gateway cores). */
const MACHINE_CORES = os.cpus().length;

function cores(options: BenchOptions): { gateway: string | null; rest: string | null } {
  const count = MACHINE_CORES;
  if (options.gatewayCore === null || count < 2 || !hasTaskset()) return { gateway: null, rest: null };
  const gateway = String(options.gatewayCore);
  const rest = Array.from({ length: count }, (_, i) => i)
    .filter((i) => i !== options.gatewayCore)
    .join(',');
  return { gateway, rest };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const response = await request(url, { method: 'POST', headers, body });
  return { status: response.statusCode, text: await response.body.text() };
}

interface PreparedScenario {
  id: ScenarioId;
  /** Profile the answering process (and/or the subgraphs process) during the measured runs. */
  profile: { target: boolean; subgraphs: boolean };
  target: LoadTarget;
  process: BenchChild;
}

async function runPhase(
  options: BenchOptions,
  keys: DevKeys,
  supergraphFile: string,
  size: number,
  scenarioIds: ScenarioId[],
  runStamp: string,
  cpuLimit: number | null,
  reuseDatabase: boolean,
): Promise<PhaseRecord> {
  const pin = cores(options);
  const database: BenchDatabase = await prepareDatabase({
    databaseUrl: options.databaseUrl,
    databaseName: options.databaseName,
    size,
    reuse: reuseDatabase,
    log,
  });
  log(`database: ${database.label}; employer ${database.employerId} sees ${database.visibleToEmployer} candidates (${database.grantedByBench} consents granted by the bench)`);
  const auth: AuthOptions = {
    issuer: DEV_ISSUER,
    audience: DEFAULT_AUDIENCE,
    algorithms: ['ES256'],
    keys: { kind: 'local', jwks: keys.issuer.jwks },
    clockToleranceSeconds: 30,
    maxTokenAgeSeconds: 86_400,
  };

  const children: BenchChild[] = [];
  const releases: (() => void)[] = [];
  try {
    const subgraphs = spawnChild('subgraphs', 'bench/processes/subgraphs.ts', {
      cores: pin.rest,
      env: { BENCH_DATABASE: JSON.stringify(database.config), BENCH_KEYS_DIR: KEYS_DIR },
    });
    children.push(subgraphs);
    const { urls, consentUrl } = (await subgraphs.ready) as { urls: Record<SubgraphName, string>; consentUrl: string | null };

    // A's gateway always runs: its response is the reference every other scenario is checked against.
    const targets = new Set<TargetId>(['A', ...scenarioIds.map((id) => SCENARIOS[id].target)]);
    const gateways = new Map<TargetId, { child: BenchChild; url: string }>();
    for (const target of targets) {
      const config: GatewayChildConfig = {
        ...GATEWAYS[target],
        supergraphFile,
        subgraphUrls: urls,
        keysDir: KEYS_DIR,
        auth,
        consents: database.config.kind === 'postgres' ? { kind: 'postgres', url: database.config.url } : { kind: 'http', url: consentUrl! },
      };
      const child = spawnChild(`gateway ${target}`, 'bench/processes/gateway.ts', {
        cores: pin.gateway,
        env: { BENCH_GATEWAY: JSON.stringify(config) },
      });
      children.push(child);
      gateways.set(target, { child, url: '' });
    }
    for (const [target, entry] of gateways) {
      entry.url = String((await entry.child.ready).url);
      if (cpuLimit !== null) releases.push(limitCpu(entry.child.pid, cpuLimit, `${runStamp}_${size}_${target}`));
    }
    if (cpuLimit !== null) log(`every gateway limited to ${cpuLimit} CPU (cgroup quota)`);
    log(`started subgraphs (pid ${subgraphs.pid}) and gateways ${[...gateways].map(([t, g]) => `${t} (pid ${g.child.pid})`).join(', ')}`);

    const tokens = new Map<ScenarioSpec['caller'], string>();
    const headersFor = async (kind: ScenarioSpec['caller']): Promise<Record<string, string>> => {
      const caller = callerFor(kind, database.employerId);
      let token = tokens.get(kind);
      if (!token) {
        token = await signToken(keys.issuer, {
          sub: crypto.randomUUID(),
          role: caller.role,
          org: caller.org,
          purposes: caller.purposes,
          issuer: auth.issuer,
          audience: auth.audience,
          expiresIn: 12 * 3600,
        });
        tokens.set(kind, token);
      }
      return {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-purpose': caller.purpose,
        ...(caller.legalBasis ? { 'x-legal-basis': caller.legalBasis } : {}),
      };
    };

    // Reference responses: every scenario's body is validated once here; every load response must equal it.
    const phase: PhaseRecord = {
      candidates: size,
      cpuLimit,
      database: {
        label: database.label,
        kind: database.kind,
        employerId: database.employerId,
        visibleToEmployer: database.visibleToEmployer,
        grantedByBench: database.grantedByBench,
        seededMs: database.seededMs,
      },
      references: {},
      invalid: {},
      runs: [],
    };
    const aUrl = gateways.get('A')!.url;
    const queries = PAGE_QUERIES[options.plan];
    const variables = options.plan === 'entity' ? { job: database.applicantsJobId } : undefined;
    const aBody = JSON.stringify({ query: queries.candidates, ...(variables ? { variables } : {}) });
    const aResponse = await post(aUrl, await headersFor('compliance'), aBody);
    const reference = JSON.parse(aResponse.text) as GraphQLBody;
    const aProblems = validate('A', aResponse.status, reference, null);
    if (aProblems.length > 0) throw new Error(`A's reference response is invalid: ${aProblems.join('; ')}\n${aResponse.text.slice(0, 2000)}`);

    const prepared: PreparedScenario[] = [];
    let adReference: GraphQLBody | null = null;
    for (const id of scenarioIds) {
      const spec = SCENARIOS[id];
      const url = gateways.get(spec.target)!.url;
      const headers = await headersFor(spec.caller);
      const body = JSON.stringify({ query: spec.page === 'employer' ? queries.employer : queries.candidates, ...(variables ? { variables } : {}) });
      const processChild = gateways.get(spec.target)!.child;
      const response = await post(url, headers, body);
      let parsed: GraphQLBody;
      try {
        parsed = JSON.parse(response.text) as GraphQLBody;
      } catch {
        parsed = {};
      }
      // AD′, D and the peers' HD, HD-rust are checked against plain Apollo Gateway's answer to the same employer page (AD, validated first).
      const problems = validate(id, response.status, parsed, spec.page === 'employer' ? (id === 'AD' ? null : adReference) : reference);
      if (id === 'AD' && problems.length === 0) adReference = parsed;
      if (problems.length > 0) {
        phase.invalid[id] = problems;
        log(`${id}: reference response INVALID, scenario skipped: ${problems.slice(0, 5).join('; ')}`);
        continue;
      }
      phase.references[id] = summarize(parsed);
      const profile = { target: (options.profile as string[]).includes(id), subgraphs: options.profile.includes('subgraphs') && SCENARIOS[id].load === 'throughput' };
      prepared.push({ id, profile, target: { url, headers, body, expectedBody: response.text }, process: processChild });
    }
    for (const p of prepared) log(`${p.id}: reference ok ${JSON.stringify(phase.references[p.id])}`);

    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? prepared : [...prepared].reverse();
      log(`round ${round}/${options.rounds}: ${order.map((p) => p.id).join(' → ')}`);
      for (const scenario of order) {
        const connections = SCENARIOS[scenario.id].load === 'latency' ? options.latencyConnections : options.connections;
        const warm = await runLoad(scenario.target, { connections, seconds: options.warmupSeconds, generator: options.loadGenerator });
        const profiled = [
          ...(scenario.profile.target ? [{ child: scenario.process, name: `gateway-${scenario.id}` }] : []),
          ...(scenario.profile.subgraphs && scenario.process !== subgraphs ? [{ child: subgraphs, name: 'subgraphs' }] : []),
        ];
        for (const p of profiled) await p.child.startProfile();
        const before: [Usage, Usage] = [await scenario.process.usage(), await subgraphs.usage()];
        const machineBefore = readMachineCpu();
        const generatorBefore = loadGeneratorCpuMicros();
        const load = await runLoad(scenario.target, { connections, seconds: options.durationSeconds, generator: options.loadGenerator });
        const generatorMicros = loadGeneratorCpuMicros() - generatorBefore;
        const machineAfter = readMachineCpu();
        const after: [Usage, Usage] = [await scenario.process.usage(), await subgraphs.usage()];
        for (const p of profiled) {
          await p.child.stopProfile(path.join(PROFILE_DIR, `${runStamp}-${size}-${scenario.id}-r${round}-${p.name}.cpuprofile`));
        }
        const perRequest = (i: 0 | 1) => (after[i].cpuMicros - before[i].cpuMicros) / Math.max(1, load.responses);
        const machineBusyCores = machineAfter && machineBefore ? (machineAfter.busy - machineBefore.busy) / ((machineAfter.total - machineBefore.total) / MACHINE_CORES) : Number.NaN;
        const oursCores =
          (after[0].cpuMicros - before[0].cpuMicros + (scenario.process === subgraphs ? 0 : after[1].cpuMicros - before[1].cpuMicros) + generatorMicros) /
          1e6 /
          load.seconds;
        const record: RunRecord = {
          scenario: scenario.id,
          round,
          connections,
          load,
          targetCpuMicrosPerRequest: perRequest(0),
          targetSystemCpuMicrosPerRequest: (after[0].systemCpuMicros - before[0].systemCpuMicros) / Math.max(1, load.responses),
          subgraphsCpuMicrosPerRequest: perRequest(1),
          targetMaxRssKb: after[0].maxRssKb,
          loadGeneratorCpuMicrosPerRequest: generatorMicros / Math.max(1, load.responses),
          machineBusyCores,
          otherBusyCores: machineBusyCores - oursCores,
          ...(Object.keys(after[0].counters).length > 0 ? { targetCounters: counterDelta(before[0].counters, after[0].counters) } : {}),
        };
        phase.runs.push(record);
        const bad = warm.mismatched + warm.non2xx + warm.errors + load.mismatched + load.non2xx + load.errors;
        log(
          `  ${scenario.id.padEnd(5)} ${load.rps.toFixed(0).padStart(6)} req/s  p50 ${load.p50Ms.toFixed(2)} ms  p99 ${load.p99Ms.toFixed(2)} ms  ` +
            `CPU ${record.targetCpuMicrosPerRequest.toFixed(0)} µs/req (system ${record.targetSystemCpuMicrosPerRequest!.toFixed(0)})  subgraphs ${record.subgraphsCpuMicrosPerRequest.toFixed(0)} µs/req  ` +
            `RSS ${(record.targetMaxRssKb / 1024).toFixed(0)} MB  other busy ${record.otherBusyCores.toFixed(2)} cores  checked ${load.matched}${fetchesNote(record.targetCounters)}${auditNote(record)}${bad > 0 ? `  ** ${bad} bad responses: ${load.firstMismatch ?? warm.firstMismatch ?? ''}` : ''}`,
        );
      }
    }
    return phase;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    for (const release of releases) release();
  }
}

/** Counts over the run (after − before); `gauge.` figures (the writer's commit latency) as they stood at its end. */
function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, value]) => [name, name.startsWith('gauge.') ? value : value - (before[name] ?? 0)]));
}

/** The access-log writer during the run: rows per second, mean batch, commit latency. */
function auditNote(run: RunRecord): string {
  const w = writerFigures(run);
  if (!w) return '';
  return (
    `  log ${w.rowsPerSecond.toFixed(0)} rows/s in ${w.batches} batches (mean ${w.rowsPerBatch.toFixed(1)}), commit p50 ${w.commitP50Ms.toFixed(2)} p99 ${w.commitP99Ms.toFixed(2)} ms` +
    `${w.failed > 0 ? `, ${w.failed} failed` : ''}${w.timedOut > 0 ? `, ${w.timedOut} timed out` : ''}`
  );
}

/** The peers count the requests they served and the subgraph fetches they sent: with deduplication off, a whole number per request. */
function fetchesNote(counts: Record<string, number> | undefined): string {
  if (!counts || counts.requests === undefined || counts.subgraphFetches === undefined) return '';
  return `  subgraph fetches ${counts.subgraphFetches} for ${counts.requests} requests (${(counts.subgraphFetches / Math.max(1, counts.requests)).toFixed(3)} per request)`;
}

/** Busy and total CPU time of the whole machine (jiffies, all cores), from /proc/stat; null elsewhere. */
function readMachineCpu(): { busy: number; total: number } | null {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return null;
  }
}

async function machine(options: BenchOptions) {
  const cpus = os.cpus();
  let server: string | null = null;
  if (options.databaseUrl) {
    const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      server = String((await sql`show server_version`)[0]?.server_version ?? '');
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    database: options.databaseUrl ? `PostgreSQL ${server}` : 'embedded PGlite (single-threaded: the bottleneck; figures not representative)',
  };
}

/** `--render results.json`: re-renders the markdown of an earlier run (after a report format change). */
async function render(file: string) {
  const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
  const markdown = renderMarkdown(report, []);
  const target = file.replace(/\.json$/, '.md');
  await writeFile(target, `${markdown}\n`);
  console.log(`${markdown}\n`);
  log(`wrote ${target}`);
}

async function main() {
  const renderAt = process.argv.indexOf('--render');
  if (renderAt >= 0) return render(process.argv[renderAt + 1]!);
  const options = parseBenchOptions(process.argv.slice(2));
  const pin = cores(options);
  if (pin.rest) pinSelf(pin.rest);
  const started = new Date();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the load and every child process…');
    stopLoad();
    killAllChildren('SIGTERM');
    setTimeout(() => process.exit(130), 3_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  await mkdir(PROFILE_DIR, { recursive: true });
  const keys = await loadOrCreateDevKeys(KEYS_DIR);
  const supergraphFile = path.join(TMP, 'supergraph.graphql');
  await writeFile(supergraphFile, composeSupergraph());
  const host = await machine(options);
  if (!options.databaseUrl) {
    log('WARNING: DATABASE_URL is not set, so the subgraphs run on embedded PGlite, which is single-threaded and will be the bottleneck.');
    log('         Set DATABASE_URL to a PostgreSQL server for figures worth reporting (see bench/README.md).');
  }
  log(`machine: ${host.cpu}, ${host.memoryGiB} GiB, ${host.os}, Node ${host.node}, ${host.database}`);
  log(`load generator: ${options.loadGenerator === 'wrk' ? `${installedWrk()} (one thread)` : 'autocannon'}`);
  log(
    pin.gateway
      ? `pinning: gateway under test on core ${pin.gateway}; subgraphs, load generator and this process on core(s) ${pin.rest} (the database server is not pinned)`
      : 'pinning: off (no taskset, fewer than 2 cores, or --no-pin)',
  );
  const profilesBefore = new Set(await readdir(PROFILE_DIR));

  const runStamp = started.toISOString().replace(/:/g, '-').replace(/\..+$/, 'Z');
  if (options.cpuLimits.some((limit) => limit !== null)) {
    const why = cpuLimitUnavailable();
    if (why) throw new BenchUsageError(`--cpu-limits: ${why}. Use --cpu-limits full to measure without limits.`);
  }
  const phases: PhaseRecord[] = [];
  for (const [i, limit] of options.cpuLimits.entries()) {
    // Under a limit the one-connection latency runs would measure the quota: left out.
    const ids = limit === null ? options.scenarios : options.scenarios.filter((id) => SCENARIOS[id].load === 'throughput');
    log(`phase: ${limit === null ? "the gateway under test on its whole core" : `every gateway limited to ${limit} CPU`}`);
    phases.push(await runPhase(options, keys, supergraphFile, options.candidates, ids, runStamp, limit, options.reuseDatabase || i > 0));
  }
  for (const size of options.scale) {
    const ids = options.scenarios.filter((id) => id === 'A' || id === 'AD' || id === 'D');
    log(`scale: ${ids.join(', ')} at ${size.toLocaleString('en')} candidates`);
    phases.push(await runPhase(options, keys, supergraphFile, size, ids, runStamp, null, options.reuseDatabase));
  }

  let statistics: StatisticsLatency | undefined;
  if (options.statistics && options.databaseUrl) {
    log(`statistics: a grouped count over ${options.statistics.candidates.toLocaleString('en')} candidates`);
    statistics = await measureStatisticsLatency({ databaseUrl: options.databaseUrl, ...options.statistics, reuse: options.reuseDatabase, log });
  } else {
    log('statistics: left out (--no-statistics, or no DATABASE_URL)');
  }

  const profiles: string[] = [];
  for (const file of (await readdir(PROFILE_DIR)).filter((f) => !profilesBefore.has(f) && f.endsWith('.cpuprofile')).sort()) {
    profiles.push(profileMarkdown(`bench/tmp/profiles/${file}`, summarizeProfile(await readProfile(path.join(PROFILE_DIR, file)), 20)));
  }

  const settings = {
    connections: options.connections,
    latencyConnections: options.latencyConnections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    pinning: pin.gateway ? { gateway: pin.gateway, rest: pin.rest } : null,
    cpuLimits: options.cpuLimits,
    profiled: options.profile,
    quick: options.quick,
    loadGenerator: options.loadGenerator === 'wrk' ? (installedWrk() ?? 'wrk') : 'autocannon',
    plan: options.plan,
  };
  const report: BenchReport = { date: started.toISOString(), machine: host, settings, phases, ...(statistics ? { statistics } : {}) };
  const markdown = renderMarkdown(report, profiles);
  console.log(`\n${markdown}`);

  await mkdir(options.outDir, { recursive: true });
  const base = path.join(options.outDir, `${runStamp}${options.quick ? '-quick' : ''}`);
  const json = {
    ...report,
    phases: phases.map((p) => ({
      ...p,
      summaries: summarizeRuns(p.runs),
      ratios: ratios(p.runs),
      cpuRatios: cpuRatios(p.runs),
      addedLatencyMs: addedLatency(p.runs),
    })),
  };
  await writeFile(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(`${base}.md`, `${markdown}\n`);
  log(`wrote ${base}.json and ${base}.md`);
}

try {
  await main();
  process.exit(0);
} catch (error) {
  if (error instanceof BenchUsageError) console.error(`${error.message}\nSee npm run bench -- --help.`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  killAllChildren('SIGTERM');
  // A broken harness exits 1; budget figures are only reported, never asserted.
  process.exit(1);
}
