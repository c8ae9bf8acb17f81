import { randomUUID } from 'node:crypto';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { applications, jobs } from '../../db/schema/employers.ts';
import { hasConsentSql } from '../../ledger/consent.ts';
import { applyConsentChange } from '../../ledger/store.ts';
import { readSubjectStanding } from '../../ledger/subjects.ts';
import { SUBJECT_STANDINGS } from '../../directives/standing.ts';
import type { SubgraphContext } from '../common/context.ts';
import { connection, decodeCursor, pageSize } from '../common/pagination.ts';
import { afterTimestampCursor, isUuid, iso, likePattern, timestampKey } from '../common/sql.ts';
import { badInput, forbidden, notFound, withoutLeaks } from '../common/errors.ts';
import {
  type ApplicationRow,
  type EmployerRow,
  type JobRow,
  applicationLoader,
  callerEmployerId,
  candidateApplicationsLoader,
  emptyConnection,
  employerJobsLoader,
  employerLoader,
  isStaff,
  jobApplicationsLoader,
  jobLoader,
} from './queries.ts';
import { employersDataSubjectResolvers } from './data-subject.ts';

export const COVER_LETTER_MAX_LENGTH = 4000;

/** Statuses an employer may move an application to; SUBMITTED and WITHDRAWN belong to the candidate. */
const EMPLOYER_SETTABLE_STATUSES: ReadonlySet<string> = new Set(['SCREENING', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED']);

type ApplicationStatus = ApplicationRow['status'];
type EmploymentType = JobRow['employmentType'];

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface JobFilter {
  keyword?: string | null;
  industry?: string | null;
  prefecture?: string | null;
  category?: string | null;
  employmentType?: EmploymentType | null;
  employerId?: string | null;
}


/** Present and not blank. */
function given(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

async function searchJobs(ctx: SubgraphContext, args: PageArgs & { filter?: JobFilter | null }) {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const filter = args.filter ?? {};
  const conditions: (SQL | undefined)[] = [afterTimestampCursor(jobs.postedAt, jobs.id, cursor)];
  if (!isStaff(ctx)) {
    const own = callerEmployerId(ctx);
    conditions.push(own ? or(eq(jobs.status, 'OPEN'), eq(jobs.employerId, own)) : eq(jobs.status, 'OPEN'));
  }
  if (given(filter.keyword)) {
    const pattern = likePattern(filter.keyword.trim());
    conditions.push(or(ilike(jobs.title, pattern), ilike(jobs.description, pattern)));
  }
  if (given(filter.industry)) conditions.push(eq(jobs.industry, filter.industry));
  if (given(filter.prefecture)) conditions.push(eq(jobs.prefecture, filter.prefecture));
  if (given(filter.category)) conditions.push(eq(jobs.category, filter.category));
  if (filter.employmentType) conditions.push(eq(jobs.employmentType, filter.employmentType));
  if (filter.employerId !== null && filter.employerId !== undefined) {
    if (!isUuid(filter.employerId)) return emptyConnection<JobRow>();
    conditions.push(eq(jobs.employerId, filter.employerId));
  }
  const rows = await ctx.db
    .select({ job: jobs, cursorKey: timestampKey(jobs.postedAt) })
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.postedAt), desc(jobs.id))
    .limit(limit + 1);
  const page = connection(rows, limit, (r) => ({ key: r.cursorKey, id: r.job.id }));
  const loader = jobLoader(ctx);
  for (const { job } of page.nodes) loader.prime(job.id, job);
  return { nodes: page.nodes.map((r) => r.job), pageInfo: page.pageInfo };
}

async function applyToJob(ctx: SubgraphContext, args: { jobId: string; coverLetter?: string | null }): Promise<ApplicationRow> {
  const { caller } = ctx;
  if (caller.role !== 'candidate' || !isUuid(caller.sub)) throw forbidden('Only candidates can apply to jobs.');
  const candidateId = caller.sub.toLowerCase();
  const coverLetter = args.coverLetter === undefined || args.coverLetter === null || args.coverLetter === '' ? null : args.coverLetter;
  if (coverLetter !== null && Array.from(coverLetter).length > COVER_LETTER_MAX_LENGTH) {
    throw badInput(`"coverLetter" must be at most ${COVER_LETTER_MAX_LENGTH} characters.`, {
      argument: 'coverLetter',
      max: COVER_LETTER_MAX_LENGTH,
    });
  }
  if (!isUuid(args.jobId)) throw notFound('Job not found.');
  const jobId = args.jobId.toLowerCase();

  return withoutLeaks('record the application', () => ctx.db.transaction(async (tx) => {
    // Applying records a consent: only a subject whose consents count may (locked until the commit).
    const standing = await readSubjectStanding(tx, candidateId, { lock: true });
    if (standing === null || !SUBJECT_STANDINGS[standing].honoursConsent) throw forbidden('Only active candidates can apply to jobs.');

    // Lock the posting so it cannot close between the check and the insert.
    const [job] = await tx.select().from(jobs).where(eq(jobs.id, jobId)).for('share');
    if (!job) throw notFound('Job not found.');
    if (job.status !== 'OPEN') throw badInput('This job is not open for applications.', { argument: 'jobId' });

    // Serialize concurrent applications of the same candidate to the same job (no unique index to lean on).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`application:${jobId}:${candidateId}`}, 0))`);
    const [existing] = await tx
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.jobId, jobId), eq(applications.candidateId, candidateId)))
      .limit(1);
    if (existing) throw badInput('You have already applied to this job.', { argument: 'jobId' });

    const now = new Date();
    const [application] = await tx
      .insert(applications)
      .values({ id: randomUUID(), jobId, candidateId, coverLetter, status: 'SUBMITTED', createdAt: now, updatedAt: now })
      .returning();
    if (!application) throw new Error('application was not recorded');

    // Applying is the candidate's consent to provide their profile to this employer (APPI Art. 27).
    await applyConsentChange(tx, {
      subjectId: candidateId,
      purpose: 'EMPLOYER_DISCLOSURE',
      recipientId: job.employerId,
      action: 'GRANT',
      source: 'JOB_APPLICATION',
      actor: caller.sub,
      at: now,
    });
    return application;
  }));
}

async function updateApplicationStatus(
  ctx: SubgraphContext,
  args: { id: string; status: ApplicationStatus },
): Promise<ApplicationRow> {
  const employerId = callerEmployerId(ctx);
  if (!employerId) throw forbidden('Only the employer that owns the job can update an application.');
  if (!EMPLOYER_SETTABLE_STATUSES.has(args.status)) {
    throw badInput(`An employer cannot set the status ${args.status}.`, { argument: 'status' });
  }
  if (!isUuid(args.id)) throw notFound('Application not found.');
  const id = args.id.toLowerCase();

  return withoutLeaks('update the application', () => ctx.db.transaction(async (tx) => {
    // An application to another employer's job is reported exactly like an unknown one.
    const [current] = await tx
      .select({ status: applications.status, jobId: applications.jobId })
      .from(applications)
      .where(eq(applications.id, id))
      .for('update');
    if (!current) throw notFound('Application not found.');
    const [job] = await tx.select({ employerId: jobs.employerId }).from(jobs).where(eq(jobs.id, current.jobId));
    if (job?.employerId !== employerId) throw notFound('Application not found.');
    if (current.status === 'WITHDRAWN') throw badInput('The application was withdrawn by the candidate.', { argument: 'id' });
    const [updated] = await tx
      .update(applications)
      .set({ status: args.status, updatedAt: new Date() })
      .where(eq(applications.id, id))
      .returning();
    if (!updated) throw notFound('Application not found.');
    return updated;
  }));
}

export const resolvers: GraphQLResolverMap<SubgraphContext> = {
  Query: {
    _dataSubjectExport: employersDataSubjectResolvers.Query._dataSubjectExport,
    jobs: (_parent, args: PageArgs & { filter?: JobFilter | null }, ctx: SubgraphContext) => searchJobs(ctx, args),
    job: (_parent, args: { id: string }, ctx: SubgraphContext) => (isUuid(args.id) ? jobLoader(ctx).load(args.id.toLowerCase()) : null),
    employer: (_parent, args: { id: string }, ctx: SubgraphContext) =>
      isUuid(args.id) ? employerLoader(ctx).load(args.id.toLowerCase()) : null,
    myEmployer: (_parent, _args, ctx: SubgraphContext) => {
      const employerId = callerEmployerId(ctx);
      return employerId ? employerLoader(ctx).load(employerId) : null;
    },
  },
  Mutation: {
    _dataSubjectErase: employersDataSubjectResolvers.Mutation._dataSubjectErase,
    applyToJob: (_parent, args: { jobId: string; coverLetter?: string | null }, ctx: SubgraphContext) => applyToJob(ctx, args),
    updateApplicationStatus: (_parent, args: { id: string; status: ApplicationStatus }, ctx: SubgraphContext) =>
      updateApplicationStatus(ctx, args),
  },
  Employer: {
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext) =>
      isUuid(reference.id) ? employerLoader(ctx).load(reference.id.toLowerCase()) : null,
    jobs: (parent: EmployerRow, args: PageArgs, ctx: SubgraphContext) => {
      const limit = pageSize(args.first);
      const after = decodeCursor(args.after);
      return employerJobsLoader(ctx, limit, after, args.after ?? null).load(parent.id);
    },
  },
  Job: {
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext) =>
      isUuid(reference.id) ? jobLoader(ctx).load(reference.id.toLowerCase()) : null,
    postedAt: (parent: JobRow) => iso(parent.postedAt),
    employer: (parent: JobRow, _args, ctx: SubgraphContext) => employerLoader(ctx).load(parent.employerId),
    applications: (parent: JobRow, args: PageArgs, ctx: SubgraphContext) => {
      const limit = pageSize(args.first);
      const after = decodeCursor(args.after);
      const mayRead = isStaff(ctx) || callerEmployerId(ctx) === parent.employerId;
      if (!mayRead) return emptyConnection<ApplicationRow>();
      return jobApplicationsLoader(ctx, limit, after, args.after ?? null).load(parent.id);
    },
  },
  Application: {
    __resolveReference: (reference: { id: unknown }, ctx: SubgraphContext) =>
      isUuid(reference.id) ? applicationLoader(ctx).load(reference.id.toLowerCase()) : null,
    candidate: (parent: ApplicationRow) => ({ id: parent.candidateId }),
    job: (parent: ApplicationRow, _args, ctx: SubgraphContext) => jobLoader(ctx).load(parent.jobId),
    createdAt: (parent: ApplicationRow) => iso(parent.createdAt),
    updatedAt: (parent: ApplicationRow) => iso(parent.updatedAt),
  },
  Candidate: {
    // Only the key lives here; the users subgraph owns the rest (and its row rules ran upstream).
    __resolveReference: (reference: { id: unknown }) => (isUuid(reference.id) ? { id: reference.id.toLowerCase() } : null),
    applications: (parent: { id: string }, _args, ctx: SubgraphContext) => {
      if (ctx.caller.role === 'candidate' && parent.id !== ctx.caller.sub.toLowerCase()) return [];
      return candidateApplicationsLoader(ctx).load(parent.id);
    },
  },
};
