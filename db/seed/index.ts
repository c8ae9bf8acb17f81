import { getTableColumns, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../client.ts';
import * as s from '../schema/index.ts';
import { emptyBatch, scaleFor, SeedGenerator, type CandidateBatch } from './generate.ts';
import { Rng } from './random.ts';
import { isSeeded } from './state.ts';
import { importConsentHistory } from '../../ledger/store.ts';
import { recordSubjectStanding, registerRecipients } from '../../ledger/subjects.ts';

export { DEMO_IDS } from './demo.ts';

export interface SeedOptions {
  /** Number of candidates (default 2,000); employers, jobs and applications scale with it. */
  candidates?: number;
  /** Random seed (default 20260401): the same seed and count give byte-identical data. */
  seed?: number;
  /** The "current" time all timestamps are derived from (default 2026-11-01T00:00:00Z, never the wall clock). */
  now?: Date;
}

export interface SeedSummary {
  candidates: number;
  employers: number;
  jobs: number;
  applications: number;
  campaigns: number;
  recipients: number;
  adIdentifiers: number;
  surveyResponses: number;
  consentEvents: number;
  /** Wall-clock duration of the seed run. */
  ms: number;
}

/** Defaults for `seedDatabase`. */
export const SEED_DEFAULTS = {
  candidates: 2000,
  seed: 20260401,
  now: new Date('2026-11-01T00:00:00Z'),
} as const;

/** Thrown by `seedDatabase` when the database already holds candidates. */
export class AlreadySeededError extends Error {
  constructor() {
    super('refusing to seed: users.candidates already has rows (reset the database first, e.g. `npm run seed -- --reset`)');
    this.name = 'AlreadySeededError';
  }
}

/** Candidates generated and inserted per round trip group; bounds memory at any scale. */
const CANDIDATES_PER_BATCH = 1000;
/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 1000;

type Executor = Pick<Database, 'insert' | 'select' | 'execute'>;

/** True when `users.candidates` has at least one row. */
export { isSeeded };

/**
 * Fills an empty, migrated database with deterministic Japanese job-portal data in one transaction; throws
 * AlreadySeededError when it holds candidates.
 * @example const summary = await seedDatabase(handle.db, { candidates: 300 });
 */
export async function seedDatabase(db: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  const summary = await fillIfEmpty(db, options);
  if (!summary) throw new AlreadySeededError();
  return summary;
}

/**
 * Seeds like `seedDatabase` unless the database holds candidates, decided under the seed's lock: of several
 * processes seeding one PostgreSQL database at once, one seeds and the others get `null`.
 * @example const summary = await seedIfEmpty(handle.db, { candidates: 2000 }); // null: already seeded
 */
export async function seedIfEmpty(db: Database, options: SeedOptions = {}): Promise<SeedSummary | null> {
  return fillIfEmpty(db, options);
}

async function fillIfEmpty(db: Database, options: SeedOptions): Promise<SeedSummary | null> {
  const candidates = options.candidates ?? SEED_DEFAULTS.candidates;
  const seed = options.seed ?? SEED_DEFAULTS.seed;
  const now = options.now ?? SEED_DEFAULTS.now;
  if (!Number.isSafeInteger(candidates) || candidates < 1) throw new RangeError(`candidates must be an integer >= 1, got ${candidates}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');

  const started = performance.now();
  const generator = new SeedGenerator(new Rng(seed), now, scaleFor(candidates));
  generator.buildCatalog();
  const applicationCounts = generator.applicationCounts();
  const summary: SeedSummary = {
    candidates,
    employers: generator.employers.length,
    jobs: generator.jobs.length,
    applications: 0,
    campaigns: generator.campaigns.length,
    recipients: 0,
    adIdentifiers: 0,
    surveyResponses: 0,
    consentEvents: 0,
    ms: 0,
  };

  const seeded = await db.transaction(async (tx) => {
    // Serializes concurrent seeders: the first one seeds, the others find the data there (the check below sees
    // what a seeder before us committed).
    await tx.execute(sql`lock table users.candidates, privacy.consent_events in exclusive mode`);
    if (await isSeeded(tx)) return false;
    await insertRows(tx, s.employers, generator.employers);
    await registerRecipients(tx, generator.employers.map((e) => e.id), 'EMPLOYER');
    await insertRows(tx, s.jobs, generator.jobs);
    await insertRows(tx, s.campaigns, generator.campaigns);
    await insertRows(tx, s.surveys, generator.surveys);

    for (let start = 0; start < candidates; start += CANDIDATES_PER_BATCH) {
      const batch = emptyBatch();
      const end = Math.min(candidates, start + CANDIDATES_PER_BATCH);
      for (let i = start; i < end; i++) generator.candidate(i, applicationCounts[i] ?? 0, batch);
      await insertBatch(tx, batch);
      summary.applications += batch.applications.length;
      summary.recipients += batch.campaignRecipients.length;
      summary.adIdentifiers += batch.adIdentifiers.length;
      summary.surveyResponses += batch.surveyResponses.length;
      summary.consentEvents += batch.consentEvents.length;
    }
    return true;
  });
  if (!seeded) return null;

  summary.ms = Math.round(performance.now() - started);
  return summary;
}

async function insertBatch(tx: Executor, batch: CandidateBatch): Promise<void> {
  await insertRows(tx, s.candidates, batch.candidates);
  await insertRows(tx, s.addresses, batch.addresses);
  await insertRows(tx, s.residenceCards, batch.residenceCards);
  await insertRows(tx, s.resumes, batch.resumes);
  await insertRows(tx, s.workHistory, batch.workHistory);
  await insertRows(tx, s.applications, batch.applications);
  await insertRows(tx, s.adIdentifiers, batch.adIdentifiers);
  await insertRows(tx, s.surveyResponses, batch.surveyResponses);
  await insertRows(tx, s.campaignRecipients, batch.campaignRecipients);
  // Standing and consent go through the ledger's own API (ledger/): it numbers the events and derives the state.
  await recordSubjectStanding(tx, batch.standings);
  await importConsentHistory(tx, batch.consentEvents);
}

/**
 * Inserts rows in chunks, each chunk as one JSON parameter expanded by `json_populate_recordset`:
 * about twice as fast as bound multi-row VALUES on PGlite, and far from the 65,535-parameter limit.
 * Columns absent from the rows keep their defaults; Dates serialize as ISO 8601, arrays and objects as JSON.
 */
async function insertRows<T extends PgTable>(tx: Executor, table: T, rows: readonly T['$inferInsert'][]): Promise<void> {
  const first = rows[0] as Record<string, unknown> | undefined;
  if (!first) return;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const names = sql.raw(columns.map(([, column]) => `"${column.name}"`).join(', '));
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT).map((row) => {
      const record: Record<string, unknown> = {};
      for (const [key, column] of columns) record[column.name] = (row as Record<string, unknown>)[key] ?? null;
      return record;
    });
    await tx.execute(sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${JSON.stringify(chunk)}::json)`);
  }
}
