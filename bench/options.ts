import { parseArgs } from 'node:util';
import { installedWrk, type LoadGenerator } from './load.ts';
import { SCENARIO_IDS, type PagePlan, type ScenarioId } from './scenarios.ts';

/** What one `npm run bench` invocation measures. */
export interface BenchOptions {
  candidates: number;
  /** Extra database sizes at which D (and A, for D/A) are measured again. */
  scale: number[];
  /**
   * One phase per entry: null runs the gateway under test on its whole core; a number limits it to that many
   * CPUs with a cgroup quota (as a container CPU limit would), so that it, not the rest of the machine, sets the pace.
   */
  cpuLimits: (number | null)[];
  scenarios: ScenarioId[];
  connections: number;
  /** Connections of the latency runs (`A′@1`, `B@1`). */
  latencyConnections: number;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
  /** PostgreSQL server to create the bench databases on; null: embedded PGlite under bench/tmp. */
  databaseUrl: string | null;
  databaseName: string;
  /** Keep an already seeded bench database of the right size instead of dropping and re-seeding it. */
  reuseDatabase: boolean;
  /** Pin the gateway under test to this core and everything else to the others (null: no pinning). */
  gatewayCore: number | null;
  /** CPU-profile these scenarios' processes (or `subgraphs`) during the measured runs (profiles in bench/tmp/profiles). */
  profile: (ScenarioId | 'subgraphs')[];
  outDir: string;
  quick: boolean;
  /** wrk when installed (it costs the shared core least), else autocannon; `--load-generator` chooses. */
  loadGenerator: LoadGenerator;
  /** Which plan the pages take (see PAGE_QUERIES in scenarios.ts): `entity` (default) or `search`. */
  plan: PagePlan;
  /**
   * After the phases: the latency of a grouped count of candidates (bench/statistics-latency.ts) at this size, on its
   * own database; null with --no-statistics or without DATABASE_URL.
   */
  statistics: { candidates: number; rounds: number } | null;
}

const USAGE = `Usage: npm run bench -- [options]

  --candidates N        candidates to seed (default 10000, minimum 10000 unless --quick)
  --scale N[,N]         also measure D (with AD and A, for D/AD and D/A) at these sizes, e.g. --scale 100000
  --cpu-limits LIST     phases: "full" (the gateway's whole core) and/or CPU limits in cores for the
                        gateway under test, e.g. full,0.4 (default; --quick: full). Limits need root
                        and a cgroup cpu controller
  --scenarios LIST      comma-separated subset of ${SCENARIO_IDS.join(',')} (default: all).
                        A: plain @apollo/gateway; A′, B, C, D: ours; H, H-rust: Hive Gateway with its JS or
                        Hive Router's Rust query planner (the peers, same checks as A); AD, AD′, HD, HD-rust:
                        A, A′, H, H-rust on D's employer page. D brings AD and AD′; HD, HD-rust bring AD
                        B-nolog, D-nolog: B and D with the access log and provision records off
  --connections N       concurrent connections of the throughput runs (default 50)
  --warmup S            warm-up seconds before every measured run (default 5)
  --duration S          measured seconds per run (default 10)
  --rounds N            rounds; the targets alternate within each round (default 3)
  --database-name NAME  database created on DATABASE_URL's server (default pgw_bench; suffixed with the size)
  --reuse-db            keep a bench database that is already seeded with the requested size
  --no-pin              do not pin processes to cores with taskset
  --profile LIST        CPU-profile these scenarios' processes (or: subgraphs) during the measured runs, e.g. --profile B
  --load-generator G    wrk or autocannon (default: wrk when it is installed, else autocannon)
  --plan P              the pages' plan: entity (default; a job's applicants: employers, then one users entity
                        fetch, as the search had before it moved) or search (the candidate search, one users fetch)
  --statistics-candidates N
                        after the phases, the latency of a grouped count of candidates (p50, p99) at this size,
                        beside the same GROUP BY run directly in PostgreSQL (default 100000; --quick: 2000;
                        needs DATABASE_URL)
  --no-statistics       leave that measurement out
  --out DIR             where results go (default bench/results)
  --quick               smoke run: 1 s warm-up, 1 s runs, 1 round, 2,000 candidates unless given
  --render FILE.json    only re-render the markdown of an earlier run's results

Environment: DATABASE_URL (PostgreSQL server; recommended). Without it the bench uses embedded PGlite.`;

/** A bad command line: reported as its message alone, with a pointer to --help. */
export class BenchUsageError extends Error {}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new BenchUsageError(`--${name} must be a positive integer (got "${raw}").`);
  return value;
}

function scenarioList(name: string, raw: string | undefined, fallback: readonly ScenarioId[]): ScenarioId[] {
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((s) => s.trim().replace("'", '′')).filter(Boolean);
  for (const id of list) {
    if (!(SCENARIO_IDS as readonly string[]).includes(id)) throw new BenchUsageError(`--${name}: unknown scenario "${id}" (known: ${SCENARIO_IDS.join(', ')}).`);
  }
  return list as ScenarioId[];
}

/**
 * D is compared with plain Apollo Gateway on the same page (AD) and with our gateway's transport alone on it (AD′),
 * so asking for D measures both too; canonical order.
 */
function withBaselines(list: ScenarioId[]): ScenarioId[] {
  const wanted = new Set(list);
  if (wanted.has('D')) {
    wanted.add('AD');
    wanted.add('AD′');
  }
  // The peers on the employer page are checked against plain Apollo Gateway's answer to it.
  if (wanted.has('HD') || wanted.has('HD-rust')) wanted.add('AD');
  return SCENARIO_IDS.filter((id) => wanted.has(id));
}

/** Parses the command line; `--help` prints usage and exits; a bad command line is a `BenchUsageError`. */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  try {
    return parse(argv, env);
  } catch (error) {
    // node:util's parseArgs reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw new BenchUsageError(error.message);
    throw error;
  }
}

function parse(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      candidates: { type: 'string' },
      scale: { type: 'string' },
      'cpu-limits': { type: 'string' },
      scenarios: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      'database-name': { type: 'string' },
      'reuse-db': { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      profile: { type: 'string' },
      out: { type: 'string' },
      'load-generator': { type: 'string' },
      plan: { type: 'string' },
      quick: { type: 'boolean' },
      'statistics-candidates': { type: 'string' },
      'no-statistics': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const candidates = positiveInteger('candidates', values.candidates, quick ? 2_000 : 10_000);
  if (!quick && candidates < 10_000) throw new BenchUsageError('--candidates must be at least 10000 (use --quick for a smaller smoke run).');
  const scale = (values.scale ?? '').split(',').filter(Boolean).map((n) => positiveInteger('scale', n, 0));
  const databaseName = values['database-name'] ?? 'pgw_bench';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(databaseName)) throw new BenchUsageError('--database-name must be a lower-case SQL identifier.');
  const cpuLimits = (values['cpu-limits'] ?? (quick ? 'full' : 'full,0.4')).split(',').map((raw): number | null => {
    const item = raw.trim();
    if (item === 'full') return null;
    const cores = Number(item);
    if (!Number.isFinite(cores) || cores < 0.05 || cores > 64) throw new BenchUsageError(`--cpu-limits: "${item}" is neither "full" nor a number of cores between 0.05 and 64.`);
    return cores;
  });
  if (cpuLimits.length === 0) throw new BenchUsageError('--cpu-limits needs at least one entry.');
  const generator = values['load-generator'] ?? (installedWrk() ? 'wrk' : 'autocannon');
  if (generator !== 'wrk' && generator !== 'autocannon') throw new BenchUsageError(`--load-generator must be wrk or autocannon (got "${generator}").`);
  if (generator === 'wrk' && !installedWrk()) throw new BenchUsageError('--load-generator wrk: wrk is not installed (Debian: apt-get install wrk).');
  return {
    candidates,
    scale,
    cpuLimits,
    scenarios: withBaselines(scenarioList('scenarios', values.scenarios, SCENARIO_IDS)),
    connections: positiveInteger('connections', values.connections, 50),
    latencyConnections: 1,
    warmupSeconds: positiveInteger('warmup', values.warmup, quick ? 1 : 5),
    durationSeconds: positiveInteger('duration', values.duration, quick ? 1 : 10),
    rounds: positiveInteger('rounds', values.rounds, quick ? 1 : 3),
    databaseUrl: env.DATABASE_URL?.trim() || null,
    databaseName,
    reuseDatabase: values['reuse-db'] ?? false,
    gatewayCore: values['no-pin'] ? null : 1,
    profile: [
      ...scenarioList('profile', values.profile?.split(',').filter((s) => s !== 'subgraphs').join(',') || undefined, []),
      ...(values.profile?.split(',').includes('subgraphs') ? (['subgraphs'] as const) : []),
    ],
    outDir: values.out ?? 'bench/results',
    quick,
    loadGenerator: generator,
    plan: pagePlan(values.plan),
    statistics:
      values['no-statistics'] || !env.DATABASE_URL?.trim()
        ? null
        : { candidates: positiveInteger('statistics-candidates', values['statistics-candidates'], quick ? 2_000 : 100_000), rounds: quick ? 5 : 60 },
  };
}

function pagePlan(value: string | undefined): PagePlan {
  if (value === undefined || value === 'entity' || value === 'search') return value ?? 'entity';
  throw new BenchUsageError(`--plan must be entity or search (got ${JSON.stringify(value)}).`);
}
