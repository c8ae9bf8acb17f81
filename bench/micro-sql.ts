// Micro-benchmark of the subgraphs' special data paths against PostgreSQL, each against what it replaces, in one run:
// - row mapping: Drizzle's own mapping of a prepared statement's rows, against the removed hand-written mapper
//   (`plainColumnMapper`, patched into Drizzle's private `customResultMapper`; reproduced here to measure it);
// - prepared statements: Drizzle's unprepared statements (postgres.js unnamed statements), against db/client.ts's
//   wrapper that runs them as named prepared statements (reproduced here, so the comparison does not depend on
//   db/client.ts), and against Drizzle's `.prepare(name)` built once (the supported way);
// - batching: the per-request loaders on `dataloader`, against the removed hand-written BatchLoader (reproduced here);
// - light-column entity reads (subgraphs/users/entity-parts.ts): A's entity selection with light columns only,
//   against the same selection reading every column.
// It creates its own database (pgw_micro, dropped and re-created, dropped at the end), seeds it and prints µs per call
// (wall and this process's CPU), medians of interleaved rounds, and each variant's ratio to the first of its group.
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/micro-sql.ts [--rounds 7] [--candidates 2000] [--only <title prefix>]
import { parseArgs } from 'node:util';
import * as drizzleOrm from 'drizzle-orm';
import { and, asc, Column, desc, eq, is, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import postgres from 'postgres';
import { createDatabase, schema, type Database } from '../db/client.ts';
import { candidates, workHistory } from '../db/schema/users.ts';
import { seedDatabase } from '../db/seed/index.ts';
import { BatchLoader, rowLoader } from '../subgraphs/common/batch-loader.ts';
import { hasConsentSql } from '../ledger/consent.ts';
import { idsIn, preparedByIds } from '../subgraphs/common/sql.ts';
import { candidatesWithParts, selectedCandidate } from '../subgraphs/users/entity-parts.ts';

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, rounds: { type: 'string', default: '7' }, candidates: { type: 'string', default: '2000' }, keep: { type: 'boolean', default: false } },
});
const ROUNDS = Number(args.rounds);
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) throw new Error('DATABASE_URL must name a PostgreSQL server (the script creates its own database pgw_micro there).');
const NAME = 'pgw_micro';

// ---- What the current code is measured against (removed, or reproduced from db/client.ts) ----------------------

/** The removed row mapper (was subgraphs/common/sql.ts), for plain-column selections. */
function plainColumnMapper(fields: unknown): ((rows: unknown[][]) => Record<string, unknown>[]) | null {
  if (!Array.isArray(fields) || fields.length === 0) return null;
  const names: string[] = [];
  const columns: Column[] = [];
  for (const entry of fields as { path?: unknown; field?: unknown }[]) {
    if (!Array.isArray(entry.path) || entry.path.length !== 1 || typeof entry.path[0] !== 'string') return null;
    if (!is(entry.field, Column)) return null;
    names.push(entry.path[0]);
    columns.push(entry.field);
  }
  const width = names.length;
  return (rows) => {
    const out = new Array<Record<string, unknown>>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) {
        const value = row[i];
        object[names[i]!] = value === null || value === undefined ? null : columns[i]!.mapFromDriverValue(value);
      }
      out[r] = object;
    }
    return out;
  };
}

/** db/client.ts's wrapper, reproduced: every `unsafe` call of the top-level client with `prepare: true`. */
function preparedStatements(client: postgres.Sql): postgres.Sql {
  const unsafe: postgres.Sql['unsafe'] = (query, params, options) => client.unsafe(query, params, { ...options, prepare: true });
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'unsafe' ? unsafe : Reflect.get(target, property, receiver)),
  });
}

/** The removed hand-written loader (was subgraphs/common/batch-loader.ts), without its comments. */
class OldBatchLoader<V> {
  private readonly cache = new Map<string, Promise<V>>();
  private readonly known = new Map<string, V>();
  private queue: { key: string; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];
  constructor(
    private readonly batch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>,
    private readonly missing: () => V,
  ) {}
  load(key: string): Promise<V> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      if (this.queue.length === 0) void Promise.resolve().then(() => process.nextTick(() => void this.dispatch()));
      this.queue.push({ key, resolve, reject });
    });
    this.cache.set(key, promise);
    return promise;
  }
  loadNow(key: string): V | Promise<V> {
    return this.known.has(key) ? (this.known.get(key) as V) : this.load(key);
  }
  prime(key: string, value: V): void {
    if (this.cache.has(key)) return;
    this.cache.set(key, Promise.resolve(value));
    this.known.set(key, value);
  }
  private async dispatch(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    const keys = [...new Set(queue.map((entry) => entry.key))];
    try {
      const found = await this.batch(keys);
      for (const entry of queue) {
        const value = found.has(entry.key) ? (found.get(entry.key) as V) : this.missing();
        this.known.set(entry.key, value);
        entry.resolve(value);
      }
    } catch (error) {
      for (const entry of queue) {
        this.cache.delete(entry.key);
        entry.reject(error);
      }
    }
  }
}

// ---- Measuring -------------------------------------------------------------------------------------------------

interface Variant {
  name: string;
  run: () => Promise<unknown>;
}

interface Sample {
  wall: number;
  cpu: number;
}

/** µs per call of `run`, wall and CPU, over `calls` sequential calls. */
async function sample(run: () => Promise<unknown>, calls: number): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await run();
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / calls;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / calls };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const lines: string[] = [];
const out = (line: string) => {
  lines.push(line);
  console.log(line);
};

/** Interleaved rounds (order reversed every other round); prints medians and ratios to the first variant. */
async function group(title: string, calls: number, variants: Variant[]): Promise<void> {
  if (args.only && !title.toLowerCase().startsWith(args.only.toLowerCase())) return;
  for (const v of variants) await sample(v.run, Math.max(20, Math.ceil(calls / 4))); // warm-up (and first prepare)
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...variants].reverse() : variants;
    for (const v of order) samples.get(v.name)!.push(await sample(v.run, calls));
  }
  const base = samples.get(variants[0]!.name)!;
  out(`\n${title} (${calls} calls × ${ROUNDS} rounds)`);
  out(`| variant | wall µs/call | CPU µs/call | wall ratio (range) | CPU ratio |`);
  out(`|---|---:|---:|---:|---:|`);
  for (const v of variants) {
    const s = samples.get(v.name)!;
    const wallRatios = s.map((x, i) => x.wall / base[i]!.wall);
    const cpuRatios = s.map((x, i) => x.cpu / base[i]!.cpu);
    out(
      `| ${v.name} | ${median(s.map((x) => x.wall)).toFixed(1)} | ${median(s.map((x) => x.cpu)).toFixed(1)} | ` +
        `${median(wallRatios).toFixed(2)} (${Math.min(...wallRatios).toFixed(2)}–${Math.max(...wallRatios).toFixed(2)}) | ${median(cpuRatios).toFixed(2)} |`,
    );
  }
}

// ---- The database ----------------------------------------------------------------------------------------------

const adminUrl = DATABASE_URL;
const url = new URL(adminUrl);
url.pathname = `/${NAME}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${NAME} with (force)`);
await admin.unsafe(`create database ${NAME}`);

const handle = await createDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 4 });
// Both built here, so the comparison does not depend on what db/client.ts does: Drizzle over postgres.js as is, and through the wrapper.
const plainClient = postgres(url.toString(), { max: 4, onnotice: () => {} });
const proxyClient = postgres(url.toString(), { max: 4, onnotice: () => {} });
try {
  await handle.migrate();
  const seeded = await seedDatabase(handle.db, { candidates: Number(args.candidates) });
  await handle.db.execute(sql`analyze`);
  const db = handle.db;
  const dbPlain = drizzle(plainClient, { schema }) as unknown as Database;
  const dbProxy = drizzle(preparedStatements(proxyClient), { schema }) as unknown as Database;
  const ids = (await db.select({ id: candidates.id }).from(candidates).orderBy(asc(candidates.id)).limit(50)).map((r) => r.id);
  const one = ids[0]!;
  const [{ employerId }] = (await db.execute<{ employerId: string }>(sql`
    select recipient_id as "employerId" from privacy.consents where purpose = 'EMPLOYER_DISCLOSURE' and state = 'GRANTED'
    group by recipient_id order by count(*) desc limit 1`)) as unknown as [{ employerId: string }];
  out(`# bench/micro-sql.ts — ${new Date().toISOString()}, Node ${process.version}, PostgreSQL ${url.host}/${NAME}, ` +
    `${seeded.candidates} candidates, ${ROUNDS} rounds; medians of rounds`);

  // 1. Row mapping: one prepared statement, Drizzle's mapping against the removed mapper patched into a second one.
  const allIds = `{${ids.join(',')}}`;
  const plainCandidates = db.select().from(candidates).where(idsIn(candidates.id)).prepare('micro_candidates');
  const patchedCandidates = db.select().from(candidates).where(idsIn(candidates.id)).prepare('micro_candidates_patched');
  const plainHistory = db.select().from(workHistory).where(idsIn(workHistory.candidateId)).orderBy(desc(workHistory.startedOn), asc(workHistory.id)).prepare('micro_history');
  const patchedHistory = db.select().from(workHistory).where(idsIn(workHistory.candidateId)).orderBy(desc(workHistory.startedOn), asc(workHistory.id)).prepare('micro_history_patched');
  for (const statement of [patchedCandidates, patchedHistory]) {
    const mapping = statement as unknown as { fields: unknown; customResultMapper?: unknown };
    mapping.customResultMapper = plainColumnMapper(mapping.fields)!;
  }
  const historyRows = (await plainHistory.execute({ ids: allIds })).length;
  await group('Row mapping: 50 candidates by id (every column), one prepared statement', 300, [
    { name: "Drizzle's mapping (now)", run: () => plainCandidates.execute({ ids: allIds }) },
    { name: 'removed customResultMapper patch', run: () => patchedCandidates.execute({ ids: allIds }) },
  ]);
  await group(`Row mapping: work history of 50 candidates (${historyRows} rows)`, 300, [
    { name: "Drizzle's mapping (now)", run: () => plainHistory.execute({ ids: allIds }) },
    { name: 'removed customResultMapper patch', run: () => patchedHistory.execute({ ids: allIds }) },
  ]);
  // The mapping alone, no database: the same raw rows (captured once) through both.
  const raw: unknown[][] = [];
  const capture = db.select().from(candidates).where(idsIn(candidates.id)).prepare('micro_capture') as unknown as {
    fields: { path: string[]; field: Column }[];
    customResultMapper?: (rows: unknown[][]) => unknown;
    execute(p: { ids: string }): Promise<unknown>;
  };
  capture.customResultMapper = (rows) => raw.push(...rows);
  await capture.execute({ ids: allIds });
  const mapper = plainColumnMapper(capture.fields)!;
  // Drizzle's own row mapper, the function every prepared select runs (exported at runtime, not in its types).
  const mapResultRow = (drizzleOrm as unknown as { mapResultRow: (fields: unknown, row: unknown[], joins: undefined) => unknown }).mapResultRow;
  await group('Row mapping alone (no database): 50 raw candidate rows, ×10 per call', 2000, [
    { name: "Drizzle's mapResultRow (now)", run: async () => { for (let i = 0; i < 10; i++) raw.map((row) => mapResultRow(capture.fields, row, undefined)); } },
    { name: 'removed plainColumnMapper', run: async () => { for (let i = 0; i < 10; i++) mapper(raw); } },
  ]);

  // 2. Prepared statements: statements Drizzle runs unprepared, on a plain postgres.js client and through the wrapper.
  const employerPage = (d: Database) =>
    d
      .select()
      .from(candidates)
      .where(hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', employerId))
      .orderBy(desc(candidates.createdAt), desc(candidates.id))
      .limit(101);
  const byId = (d: Database) => d.select().from(candidates).where(eq(candidates.id, one));
  const byIdPrepared = dbPlain.select().from(candidates).where(eq(candidates.id, sql.placeholder('id'))).prepare('micro_by_id');
  await group('Prepared statements: one candidate by id (built per call, as visibleCandidate)', 1000, [
    { name: 'unnamed statement (Drizzle default)', run: () => byId(dbPlain) },
    { name: 'named via the db/client.ts wrapper (now)', run: () => byId(dbProxy) },
    { name: 'Drizzle .prepare(name), built once', run: () => byIdPrepared.execute({ id: one }) },
  ]);
  await group("Prepared statements: D's employer page (101 rows, consent filter, built per call)", 200, [
    { name: 'unnamed statement (Drizzle default)', run: () => employerPage(dbPlain) },
    { name: 'named via the db/client.ts wrapper (now)', run: () => employerPage(dbProxy) },
  ]);
  const concurrent = (d: Database) => () => Promise.all(Array.from({ length: 8 }, () => byId(d)));
  await group('Prepared statements: 8 concurrent by-id selects per call, pool of 4', 300, [
    { name: 'unnamed statement (Drizzle default)', run: concurrent(dbPlain) },
    { name: 'named via the db/client.ts wrapper (now)', run: concurrent(dbProxy) },
  ]);

  // 3. Batching: a wave of 50 loads per request, a new loader per request (as `loaderFor` gives), then 150 loadNow.
  const values = new Map(ids.map((id) => [id, { id }]));
  const wave = async (make: () => { load(k: string): Promise<unknown>; loadNow(k: string): unknown }) => {
    const loader = make();
    await Promise.all(ids.map((id) => loader.load(id)));
    for (let i = 0; i < 3; i++) for (const id of ids) loader.loadNow(id);
  };
  const batch = async (keys: readonly string[]) => new Map(keys.map((k) => [k, values.get(k)!] as const));
  await group('Batching alone (no database): one request, 50 loads in one wave then 150 loadNow', 5000, [
    { name: 'dataloader 2.2.3 (now)', run: () => wave(() => new BatchLoader(batch, () => null)) },
    { name: 'removed BatchLoader', run: () => wave(() => new OldBatchLoader(batch, () => null)) },
  ]);
  const candidatesById = preparedByIds('micro_loader_candidates', (d) => d.select().from(candidates).where(idsIn(candidates.id)));
  const fromDb = async (keys: readonly string[]) => new Map((await candidatesById(db, keys)).map((r) => [r.id, r] as const));
  await group('Batching with the database: one request, 50 candidate loads in one wave (one statement)', 300, [
    { name: 'dataloader 2.2.3 (now)', run: () => { const l = new BatchLoader(fromDb, () => null); return Promise.all(ids.map((id) => l.load(id))); } },
    { name: 'removed BatchLoader', run: () => { const l = new OldBatchLoader(fromDb, () => null); return Promise.all(ids.map((id) => l.load(id))); } },
    { name: 'dataloader 2.2.3 through rowLoader, as the resolvers', run: () => { const ctx = {}; return Promise.all(ids.map((id) => rowLoader(ctx, 'c', (k) => candidatesById(db, k), (r) => r.id).load(id))); } },
  ]);

  // 4. Light-column entity reads: A's entity selection (light fields and address) against the same reading every column.
  const selection = (fields: string) => {
    const operation = parse(`{ _entities { ... on Candidate { ${fields} } } }`).definitions[0] as OperationDefinitionNode;
    return selectedCandidate({ fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments: {} });
  };
  const light = selection('id fullName email phone address { prefecture city }');
  const heavy = selection('id fullName email phone address { prefecture city } desiredIndustries');
  if (!light.light || heavy.light) throw new Error('selections are not what the bench expects');
  await group("Light-column entity reads: A's 50 candidates with address, one prepared statement", 300, [
    { name: 'light columns (now)', run: () => candidatesWithParts(light)(db, ids) },
    { name: 'every column', run: () => candidatesWithParts(heavy)(db, ids) },
  ]);
} finally {
  await plainClient.end({ timeout: 5 });
  await proxyClient.end({ timeout: 5 });
  await handle.close();
  if (!args.keep) await admin.unsafe(`drop database if exists ${NAME} with (force)`);
  await admin.end({ timeout: 5 });
}
