// `npm run bench:statistics`: the latency of analysts' statistics alone (bench/statistics-latency.ts), printed as
// markdown. It creates its own database (pgw_bench_stats_<candidates>, re-created unless --reuse-db) and seeds it.
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/statistics.ts [--candidates 100000] [--rounds 60] [--reuse-db]
import { parseArgs } from 'node:util';
import { measureStatisticsLatency, statisticsLatencyMarkdown } from './statistics-latency.ts';

const { values: args } = parseArgs({
  options: { candidates: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '60' }, 'reuse-db': { type: 'boolean', default: false } },
});
const databaseUrl = process.env.DATABASE_URL?.trim();
if (!databaseUrl) {
  console.error('bench/statistics.ts needs DATABASE_URL (a PostgreSQL server; it creates its own database there).');
  process.exit(2);
}
const candidates = Number(args.candidates);
const rounds = Number(args.rounds);
if (!Number.isInteger(candidates) || candidates < 1 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('--candidates and --rounds must be positive integers.');
  process.exit(2);
}
const result = await measureStatisticsLatency({ databaseUrl, candidates, rounds, reuse: args['reuse-db'] ?? false, log: (l) => console.error(l) });
console.log(`# bench/statistics.ts — ${new Date().toISOString()}, Node ${process.version}\n`);
console.log(statisticsLatencyMarkdown(result));
process.exit(0);
