// The latency of one grouped count of candidates by prefecture over PostgreSQL, measured four ways:
// - as a plain GROUP BY run directly in PostgreSQL (no standing check, no noise: what an unprotected report would run);
// - as the users subgraph's count (subgraphs/users/statistics.ts: active candidates only, every domain value);
// - as a whole release (ledger/budget.ts: the count, noise on every cell, budget rows locked and charged, the answer stored);
// - over HTTP through the gateway (authentication, planning, the users subgraph, the release, its access-log row), a
//   new question each time.
// `npm run bench` runs it after its phases (unless --no-statistics); `npm run bench:statistics` runs it alone.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../db/client.ts';
import { normalizeBudget } from '../directives/statistics/accountant.ts';
import { AGE_BAND_DOMAIN, CANDIDATE_DIMENSIONS, INDUSTRY_DOMAIN, NATIONALITY_GROUP_DOMAIN, domainOf } from '../directives/statistics/domains.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { createEphemeralKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { releaseStatistics } from '../ledger/budget.ts';
import { startSystem } from '../scripts/system.ts';
import { knownDomainCells } from '../subgraphs/common/statistics.ts';
import { countCandidates } from '../subgraphs/users/statistics.ts';
import { prepareDatabase } from './database.ts';

export interface StatisticsLatencyOptions {
  databaseUrl: string;
  candidates: number;
  rounds: number;
  reuse: boolean;
  log: (line: string) => void;
}

export interface StatisticsLatencyRow {
  title: string;
  p50Ms: number;
  p99Ms: number;
  n: number;
}

export interface StatisticsLatency {
  candidates: number;
  database: string;
  rows: StatisticsLatencyRow[];
}

function row(title: string, ms: number[]): StatisticsLatencyRow {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { title, p50Ms: at(0.5), p99Ms: at(0.99), n: ms.length };
}

/** Measures the four ways (each after one warm-up run) on its own database, `pgw_bench_stats_<candidates>`. */
export async function measureStatisticsLatency(options: StatisticsLatencyOptions): Promise<StatisticsLatency> {
  const prepared = await prepareDatabase({ databaseUrl: options.databaseUrl, databaseName: 'pgw_bench_stats', size: options.candidates, reuse: options.reuse, log: options.log });
  const handle = await createDatabase({ ...(prepared.config as { kind: 'postgres'; url: string }), maxConnections: 8 });
  const rows: StatisticsLatencyRow[] = [];
  const measure = async (title: string, run: (i: number) => Promise<unknown>) => {
    await run(-1);
    const ms: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const start = performance.now();
      await run(i);
      ms.push(performance.now() - start);
    }
    rows.push(row(title, ms));
    options.log(`statistics: ${title}: p50 ${rows.at(-1)!.p50Ms.toFixed(1)} ms`);
  };
  const now = new Date();
  const domain = domainOf(CANDIDATE_DIMENSIONS.PREFECTURE, now);
  const budget = normalizeBudget({ epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 100_000, epsilonGlobalPerPeriod: 100_000, epsilonPerAnalystTotal: 100_000, epsilonGlobalTotal: 100_000 });
  try {
    await measure('GROUP BY directly in PostgreSQL', () =>
      handle.db.execute(sql`select coalesce(a.prefecture, 'UNKNOWN') as g, count(*)::int as n from users.candidates c left join users.addresses a on a.candidate_id = c.id group by 1`),
    );
    await measure("the users subgraph's count (active candidates only)", () => countCandidates(handle.db, 'PREFECTURE', {}, now));
    await measure('a release: count, noise, budget charged, answer stored', (i) =>
      releaseStatistics(handle.db, {
        analyst: 'bench',
        query: { table: 'candidates', groupBy: 'PREFECTURE', filter: { run: `${Date.now()}-${i}` } },
        sensitivity: 1,
        budget,
        now,
        count: async (tx) => knownDomainCells([domain], await countCandidates(tx, 'PREFECTURE', {}, now)),
      }),
    );
    const keys = await createEphemeralKeys();
    const auth = { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE, algorithms: ['ES256'], keys: { kind: 'local' as const, jwks: keys.issuer.jwks }, clockToleranceSeconds: 30, maxTokenAgeSeconds: 86_400 };
    const system = await startSystem({ db: handle.db, keys, auth, statistics: { epsilonPerQuery: 0.001, epsilonPerAnalystPerPeriod: 1000, epsilonGlobalPerPeriod: 1000, epsilonPerAnalystTotal: 1000, epsilonGlobalTotal: 1000 } });
    try {
      const token = await signToken(keys.issuer, { sub: `bench-${Date.now()}`, role: 'analyst', org: null, purposes: ['ANALYTICS'], issuer: auth.issuer, audience: auth.audience });
      // A different question each time (filters), so every request is a new release rather than a stored answer.
      const filters = AGE_BAND_DOMAIN.flatMap((ageBand) => NATIONALITY_GROUP_DOMAIN.flatMap((nationalityGroup) => INDUSTRY_DOMAIN.map((industry) => ({ ageBand, nationalityGroup, industry }))));
      await measure('over HTTP through the gateway, a new question each time', async (i) => {
        const response = await fetch(system.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: 'query ($f: CandidateStatisticsFilter) { candidateStatistics(groupBy: PREFECTURE, filter: $f) { reused cells { count } } }', variables: { f: filters[(i + filters.length) % filters.length] } }),
        });
        const body = (await response.json()) as { data?: { candidateStatistics?: { reused: boolean } } };
        if (!body.data?.candidateStatistics || body.data.candidateStatistics.reused) throw new Error('the gateway did not answer with a new release');
      });
    } finally {
      await system.close();
    }
  } finally {
    await handle.close();
  }
  return { candidates: options.candidates, database: prepared.label, rows };
}

/** The markdown table of a measurement. */
export function statisticsLatencyMarkdown(result: StatisticsLatency): string {
  return [
    `Candidates by prefecture over ${result.candidates.toLocaleString('en')} candidates (${result.database}), ${result.rows[0]?.n ?? 0} runs each after a warm-up:`,
    '',
    '| grouped count | p50 | p99 |',
    '|---|---:|---:|',
    ...result.rows.map((r) => `| ${r.title} | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms |`),
  ].join('\n');
}
