import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { and, count, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDatabase, type DatabaseConfig, type DatabaseHandle } from '../db/client.ts';
import { applications, candidates, employers, jobs } from '../db/schema/index.ts';
import { randomUUID } from 'node:crypto';
import { seedDatabase } from '../db/seed/index.ts';
import { hasConsentSql, subjectHonoursConsentSql } from '../ledger/consent.ts';
import { recordConsent } from '../ledger/store.ts';

/** A seeded bench database and the employer whose candidate page scenario D reads. */
export interface BenchDatabase {
  /** How the subgraphs process opens it. */
  config: DatabaseConfig;
  kind: 'postgres' | 'pglite';
  /** Where it is, for the report. */
  label: string;
  candidates: number;
  employerId: string;
  /** Active candidates visible to that employer (EMPLOYER_DISCLOSURE consent). */
  visibleToEmployer: number;
  /** Consents the bench granted on top of the seed so the employer sees at least a full page. */
  grantedByBench: number;
  /** A job of that employer with a full page of applicants who consent to it (the entity-plan pages). */
  applicantsJobId: string;
  seededMs: number | null;
}

/** Scenario D needs a full page of 100 consenting candidates. */
const EMPLOYER_PAGE = 100;

async function candidateCount(handle: DatabaseHandle): Promise<number> {
  const [row] = await handle.db.select({ n: count() }).from(candidates);
  return row?.n ?? 0;
}

async function visibleCount(handle: DatabaseHandle, employerId: string): Promise<number> {
  const [row] = await handle.db
    .select({ n: count() })
    .from(candidates)
    .where(hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', employerId));
  return row?.n ?? 0;
}

/**
 * A job of `employerId` with at least a page of applicants who consent to that employer: its open job with the most
 * applications; the newest consenting candidates who have not applied to it apply (rows in employers.applications,
 * as applyToJob leaves them; their consent is already in the ledger). Idempotent.
 */
async function prepareApplicantsJob(handle: DatabaseHandle, employerId: string): Promise<string> {
  const result = await handle.db.execute<{ id: string; n: number }>(sql`
    select j.id, count(a.id)::int as n from ${jobs} j left join ${applications} a on a.job_id = j.id
    where j.employer_id = ${employerId}::uuid group by j.id order by j.status = 'OPEN' desc, n desc, j.id limit 1`);
  const job = (Array.isArray(result) ? result : (result as unknown as { rows: { id: string; n: number }[] }).rows)[0];
  if (!job) throw new Error(`employer ${employerId} has no job`);
  const consenting = await handle.db.execute<{ n: number }>(sql`
    select count(*)::int as n from ${applications} a where a.job_id = ${job.id}::uuid and ${hasConsentSql(sql`a.candidate_id`, 'EMPLOYER_DISCLOSURE', employerId)}`);
  const have = (Array.isArray(consenting) ? consenting : (consenting as unknown as { rows: { n: number }[] }).rows)[0]?.n ?? 0;
  if (have < EMPLOYER_PAGE) {
    const missing = await handle.db
      .select({ id: candidates.id })
      .from(candidates)
      .where(
        and(
          hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', employerId),
          sql`not exists (select 1 from ${applications} a where a.job_id = ${job.id}::uuid and a.candidate_id = ${candidates.id})`,
        ),
      )
      .orderBy(sql`${candidates.createdAt} desc`)
      .limit(EMPLOYER_PAGE - have);
    const base = Date.now() - missing.length * 1000;
    if (missing.length > 0) {
      await handle.db.insert(applications).values(
        missing.map(({ id }, i) => ({ id: randomUUID(), jobId: job.id, candidateId: id, coverLetter: null, status: 'SUBMITTED' as const, createdAt: new Date(base + i * 1000), updatedAt: new Date(base + i * 1000) })),
      );
    }
  }
  return job.id;
}

/**
 * The employer with the most consenting candidates; if even it sees fewer than a page and a half,
 * the newest active candidates it cannot see grant it EMPLOYER_DISCLOSURE through the consent ledger.
 */
async function prepareEmployer(handle: DatabaseHandle): Promise<{ employerId: string; visible: number; granted: number }> {
  const rows = await handle.db.execute<{ id: string; n: number }>(sql`
    select e.id, count(c.subject_id)::int as n
    from ${employers} e
    left join privacy.consents c on c.recipient_id = e.id and c.purpose = 'EMPLOYER_DISCLOSURE' and c.state = 'GRANTED'
    group by e.id order by n desc, e.id limit 1`);
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { id: string; n: number }[] }).rows;
  const employerId = list[0]!.id;
  let visible = await visibleCount(handle, employerId);
  let granted = 0;
  const wanted = Math.ceil(EMPLOYER_PAGE * 1.5);
  if (visible < wanted) {
    const missing = await handle.db
      .select({ id: candidates.id })
      .from(candidates)
      .where(and(subjectHonoursConsentSql(candidates.id), sql`not ${hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', employerId)}`))
      .orderBy(sql`${candidates.createdAt} desc`)
      .limit(wanted - visible);
    for (const { id } of missing) {
      await recordConsent(handle.db, {
        subjectId: id,
        purpose: 'EMPLOYER_DISCLOSURE',
        recipientId: employerId,
        action: 'GRANT',
        source: 'PRIVACY_CENTER',
        actor: id,
      });
      granted++;
    }
    visible = await visibleCount(handle, employerId);
  }
  return { employerId, visible, granted };
}

/**
 * Creates (or, with `reuse`, keeps) the bench's own database of `size` candidates: on PostgreSQL a database
 * `<name>_<size>` on DATABASE_URL's server, dropped and re-created, never the tests' databases; otherwise PGlite in bench/tmp.
 */
export async function prepareDatabase(options: {
  databaseUrl: string | null;
  databaseName: string;
  size: number;
  reuse: boolean;
  log: (line: string) => void;
}): Promise<BenchDatabase> {
  const name = `${options.databaseName}_${options.size}`;
  let config: DatabaseConfig;
  let label: string;
  let fresh = true;
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    url.pathname = `/${name}`;
    config = { kind: 'postgres', url: url.toString() };
    label = `PostgreSQL ${url.host}/${name}`;
    const admin = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const exists = (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
      if (exists && options.reuse) fresh = false;
      else {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.unsafe(`create database ${name}`);
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
  } else {
    const dataDir = path.resolve('bench', 'tmp', `pglite-${options.size}`);
    config = { kind: 'pglite', dataDir };
    label = `embedded PGlite ${path.relative(process.cwd(), dataDir)}`;
    if (existsSync(dataDir) && options.reuse) fresh = false;
    else await rm(dataDir, { recursive: true, force: true });
  }

  const handle = await createDatabase(config);
  try {
    let seededMs: number | null = null;
    if (!fresh && (await candidateCount(handle)) !== options.size) {
      throw new Error(`${label} exists but does not hold ${options.size} candidates; run without --reuse-db to re-create it.`);
    }
    if (fresh) {
      await handle.migrate();
      options.log(`seeding ${options.size.toLocaleString('en')} candidates into ${label}…`);
      seededMs = (await seedDatabase(handle.db, { candidates: options.size })).ms;
      options.log(`seeded in ${(seededMs / 1000).toFixed(1)} s`);
    }
    const employer = await prepareEmployer(handle);
    const applicantsJobId = await prepareApplicantsJob(handle, employer.employerId);
    if (fresh && handle.kind === 'postgres') await handle.db.execute(sql`analyze`);
    return {
      config,
      kind: handle.kind,
      label,
      candidates: options.size,
      employerId: employer.employerId,
      visibleToEmployer: employer.visible,
      grantedByBench: employer.granted,
      applicantsJobId,
      seededMs,
    };
  } finally {
    await handle.close();
  }
}
