import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { applications } from '../../db/schema/employers.ts';
import { consentEvents, consents } from '../../db/schema/privacy.ts';
import { hasConsentSql } from '../../ledger/consent.ts';
import {
  APPLICATION_0_A,
  APPLICATION_1_B,
  APPLICATION_3_A,
  EMPLOYER_A,
  EMPLOYER_B,
  JOB_A_CLOSED,
  JOB_A_OPEN,
  JOB_B_OPEN,
  UNKNOWN_ID,
  caller,
  candidateId,
  countQueries,
  createFixtureDatabase,
  runner,
  type Run,
} from '../common/test-fixture.ts';
import { employersSubgraph } from './index.ts';

let handle: DatabaseHandle;
let run: Run;

beforeAll(async () => {
  handle = await createFixtureDatabase();
  ({ run } = runner(employersSubgraph(), handle));
});

afterAll(async () => {
  await handle?.close();
});

const employerA = caller('employer', { org: EMPLOYER_A });
const employerB = caller('employer', { org: EMPLOYER_B });

/** Whether the ledger's rule lets `employer` see `subject` (what the users subgraph's candidate search lists). */
async function visibleTo(employer: string, subject: string): Promise<boolean> {
  const result = (await handle.db.execute(sql`select ${hasConsentSql(sql`${subject}::uuid`, 'EMPLOYER_DISCLOSURE', employer)} as visible`)) as unknown as
    | { rows?: { visible: boolean }[] }
    | { visible: boolean }[];
  return (Array.isArray(result) ? result : (result.rows ?? []))[0]?.visible === true;
}

describe('jobs', () => {
  const JOBS = 'query ($filter: JobFilter, $first: Int, $after: String) { jobs(filter: $filter, first: $first, after: $after) { nodes { id status employer { id name } } pageInfo { hasNextPage endCursor } } }';

  it('lists open jobs newest first; closed ones only to their owner and staff', async () => {
    const ids = (r: Awaited<ReturnType<Run>>) => (r.data?.jobs.nodes as { id: string }[]).map((j) => j.id);
    expect(ids(await run(JOBS, caller('candidate', { sub: candidateId(0) })))).toEqual([JOB_A_OPEN, JOB_B_OPEN]);
    expect(ids(await run(JOBS, employerB))).toEqual([JOB_A_OPEN, JOB_B_OPEN]);
    expect(ids(await run(JOBS, employerA))).toEqual([JOB_A_OPEN, JOB_A_CLOSED, JOB_B_OPEN]);
    expect(ids(await run(JOBS, caller('support')))).toEqual([JOB_A_OPEN, JOB_A_CLOSED, JOB_B_OPEN]);
  });

  it('filters and pages', async () => {
    const anyone = caller('candidate', { sub: candidateId(0) });
    expect((await run(JOBS, anyone, { filter: { keyword: 'graphql' } })).data?.jobs.nodes).toMatchObject([{ id: JOB_A_OPEN }]);
    expect((await run(JOBS, anyone, { filter: { prefecture: '大阪府', employmentType: 'PART_TIME' } })).data?.jobs.nodes).toMatchObject([
      { id: JOB_B_OPEN, employer: { id: EMPLOYER_B } },
    ]);
    expect((await run(JOBS, anyone, { filter: { keyword: '100%' } })).data?.jobs.nodes).toHaveLength(1);
    expect((await run(JOBS, anyone, { filter: { employerId: 'bogus' } })).data?.jobs.nodes).toEqual([]);
    const first = await run(JOBS, anyone, { first: 1 });
    expect(first.data?.jobs.pageInfo.hasNextPage).toBe(true);
    const second = await run(JOBS, anyone, { first: 1, after: first.data?.jobs.pageInfo.endCursor });
    expect(second.data?.jobs).toMatchObject({ nodes: [{ id: JOB_B_OPEN }], pageInfo: { hasNextPage: false } });
  });

  it('job, employer and myEmployer', async () => {
    const result = await run(
      `query ($id: ID!) { job(id: $id) { title employmentType salaryMin postedAt employer { name jobs(first: 10) { nodes { id } } } } bad: job(id: "x") { id } myEmployer { id name } }`,
      employerA,
      { id: JOB_A_CLOSED },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      job: {
        title: 'Sales lead', employmentType: 'CONTRACT', salaryMin: null, postedAt: '2025-01-01T00:00:02.000Z',
        employer: { name: 'Acme 株式会社', jobs: { nodes: [{ id: JOB_A_OPEN }, { id: JOB_A_CLOSED }] } },
      },
      bad: null,
      myEmployer: { id: EMPLOYER_A, name: 'Acme 株式会社' },
    });
    expect((await run('{ myEmployer { id } }', caller('support'))).data?.myEmployer).toBeNull();
    const publicView = await run(`query ($id: ID!) { employer(id: $id) { jobs { nodes { id } } } }`, employerB, { id: EMPLOYER_A });
    expect(publicView.data?.employer.jobs.nodes).toEqual([{ id: JOB_A_OPEN }]);
  });
});

describe('applications', () => {
  const JOB_APPLICATIONS = 'query ($id: ID!, $first: Int, $after: String) { job(id: $id) { applications(first: $first, after: $after) { nodes { id candidateId candidate { id } status coverLetter createdAt } pageInfo { hasNextPage endCursor } } } }';
  const CANDIDATE_APPLICATIONS = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Candidate { id applications { id job { id } } } } }';
  const refs = (...ns: number[]) => ns.map((n) => ({ __typename: 'Candidate', id: candidateId(n) }));

  it('Job.applications: the owning employer and staff only', async () => {
    const owner = await run(JOB_APPLICATIONS, employerA, { id: JOB_A_OPEN, first: 1 });
    expect(owner.errors).toBeUndefined();
    expect(owner.data?.job.applications.nodes).toMatchObject([{ id: APPLICATION_3_A, candidateId: candidateId(3), candidate: { id: candidateId(3) }, coverLetter: 'Hello' }]);
    expect(owner.data?.job.applications.pageInfo.hasNextPage).toBe(true);
    const next = await run(JOB_APPLICATIONS, employerA, { id: JOB_A_OPEN, first: 1, after: owner.data?.job.applications.pageInfo.endCursor });
    expect(next.data?.job.applications).toMatchObject({ nodes: [{ id: APPLICATION_0_A }], pageInfo: { hasNextPage: false } });
    expect((await run(JOB_APPLICATIONS, caller('compliance'), { id: JOB_A_OPEN })).data?.job.applications.nodes).toHaveLength(2);
    for (const who of [employerB, caller('candidate', { sub: candidateId(0) }), caller('marketer')]) {
      expect((await run(JOB_APPLICATIONS, who, { id: JOB_A_OPEN })).data?.job.applications).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    }
    expect((await run(JOB_APPLICATIONS, employerA, { id: JOB_A_OPEN, first: 101 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('Candidate.applications: own for candidates, own jobs for employers, all for staff', async () => {
    const apps = async (who: ReturnType<typeof caller>) =>
      ((await run(CANDIDATE_APPLICATIONS, who, { representations: refs(0, 1, 3) })).data?._entities as { applications: { id: string }[] }[]).map((c) =>
        c.applications.map((a) => a.id),
      );
    expect(await apps(caller('candidate', { sub: candidateId(0) }))).toEqual([[APPLICATION_0_A], [], []]);
    expect(await apps(employerA)).toEqual([[APPLICATION_0_A], [], [APPLICATION_3_A]]);
    expect(await apps(employerB)).toEqual([[], [APPLICATION_1_B], []]);
    expect(await apps(caller('support'))).toEqual([[APPLICATION_0_A], [APPLICATION_1_B], [APPLICATION_3_A]]);
    expect(await apps(caller('marketer'))).toEqual([[], [], []]);
  });

  it('Application entity references follow the same visibility', async () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Application { id status } } }';
    const r = [APPLICATION_0_A, APPLICATION_1_B, 'bogus'].map((id) => ({ __typename: 'Application', id }));
    expect((await run(query, employerA, { r })).data?._entities).toEqual([{ id: APPLICATION_0_A, status: 'SUBMITTED' }, null, null]);
  });

  it('batches Candidate.applications: one query for 50 candidates', async () => {
    let result: Awaited<ReturnType<Run>> | undefined;
    const { count: queries } = await countQueries(handle, async () => {
      result = await run(CANDIDATE_APPLICATIONS, caller('support'), { representations: refs(...Array.from({ length: 50 }, (_, n) => n)) });
    });
    expect(result?.errors).toBeUndefined();
    expect(result?.data?._entities).toHaveLength(50);
    expect(queries).toBe(2); // applications, then their jobs
  });

  it('batches Job.applications and Employer.jobs across a page of jobs', async () => {
    const { count: queries } = await countQueries(handle, () =>
      run('{ jobs { nodes { employer { jobs(first: 5) { nodes { id } } } applications(first: 5) { nodes { id } } } } }', caller('support')),
    );
    expect(queries).toBe(4); // jobs, employers, employer jobs, job applications
  });
});

describe('applyToJob', () => {
  const APPLY = 'mutation ($jobId: ID!, $coverLetter: String) { applyToJob(jobId: $jobId, coverLetter: $coverLetter) { id candidateId status coverLetter job { id } candidate { id } } }';

  async function ledgerCounts(subject: string) {
    const [apps] = await handle.db.select({ n: count() }).from(applications).where(eq(applications.candidateId, subject));
    const [events] = await handle.db.select({ n: count() }).from(consentEvents).where(eq(consentEvents.subjectId, subject));
    return { applications: apps?.n, events: events?.n };
  }

  it('persists the application and records the EMPLOYER_DISCLOSURE grant for the job\'s employer', async () => {
    const subject = candidateId(2); // consents to nobody
    const me = caller('candidate', { sub: subject });
    expect(await visibleTo(EMPLOYER_B, subject)).toBe(false);

    const result = await run(APPLY, me, { jobId: JOB_B_OPEN, coverLetter: '店長経験があります' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.applyToJob).toMatchObject({ candidateId: subject, status: 'SUBMITTED', coverLetter: '店長経験があります', job: { id: JOB_B_OPEN }, candidate: { id: subject } });

    const [stored] = await handle.db.select().from(applications).where(eq(applications.id, result.data?.applyToJob.id));
    expect(stored).toMatchObject({ jobId: JOB_B_OPEN, candidateId: subject });
    const [consent] = await handle.db
      .select()
      .from(consents)
      .where(and(eq(consents.subjectId, subject), eq(consents.purpose, 'EMPLOYER_DISCLOSURE'), eq(consents.recipientId, EMPLOYER_B)));
    expect(consent).toMatchObject({ state: 'GRANTED', source: 'JOB_APPLICATION' });
    const events = await handle.db
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.subjectId, subject), eq(consentEvents.purpose, 'EMPLOYER_DISCLOSURE')));
    expect(events).toEqual([expect.objectContaining({ purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_B, action: 'GRANT', source: 'JOB_APPLICATION', actor: subject })]);
    // The application and the grant are one transaction: same timestamp.
    expect(consent?.updatedAt.getTime()).toBe(stored?.createdAt.getTime());

    // The employer now finds the candidate; the other employer still does not.
    expect(await visibleTo(EMPLOYER_B, subject)).toBe(true);
    expect(await visibleTo(EMPLOYER_A, subject)).toBe(false);
  });

  it('a duplicate application fails and writes nothing', async () => {
    const subject = candidateId(2);
    const before = await ledgerCounts(subject);
    const result = await run(APPLY, caller('candidate', { sub: subject }), { jobId: JOB_B_OPEN });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/already applied/);
    expect(await ledgerCounts(subject)).toEqual(before);
  });

  it('rolls the application back when the consent cannot be recorded', async () => {
    const subject = candidateId(4);
    const before = await ledgerCounts(subject);
    await handle.db.execute(
      sql.raw(`create function privacy.test_refuse() returns trigger language plpgsql as $$ begin raise exception 'ledger unavailable'; end; $$`),
    );
    await handle.db.execute(
      sql.raw('create trigger test_refuse before insert on privacy.consent_events for each row execute function privacy.test_refuse()'),
    );
    try {
      const result = await run(APPLY, caller('candidate', { sub: subject }), { jobId: JOB_A_OPEN, coverLetter: '秘密の志望動機' });
      expect(result.errors).toHaveLength(1);
      expect(result.data).toBeNull();
      // Driver errors quote statements and parameters; none of that may reach the client.
      expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(result.errors?.[0]?.extensions?.sqlState).toBe('P0001');
      expect(JSON.stringify(result.errors)).not.toMatch(/秘密|insert|params/);
    } finally {
      await handle.db.execute(sql.raw('drop trigger test_refuse on privacy.consent_events'));
      await handle.db.execute(sql.raw('drop function privacy.test_refuse()'));
    }
    expect(await ledgerCounts(subject)).toEqual(before);
  });

  it('refuses other roles, closed or unknown jobs and long cover letters, without personal data in messages', async () => {
    const me = caller('candidate', { sub: candidateId(8) });
    const cases: [ReturnType<typeof caller>, Record<string, unknown>, string][] = [
      [employerA, { jobId: JOB_A_OPEN }, 'FORBIDDEN'],
      [caller('support'), { jobId: JOB_A_OPEN }, 'FORBIDDEN'],
      [caller('candidate', { sub: UNKNOWN_ID }), { jobId: JOB_A_OPEN }, 'FORBIDDEN'],
      [caller('candidate', { sub: candidateId(57) }), { jobId: JOB_A_OPEN }, 'FORBIDDEN'],
      [me, { jobId: JOB_A_CLOSED }, 'BAD_USER_INPUT'],
      [me, { jobId: UNKNOWN_ID }, 'NOT_FOUND'],
      [me, { jobId: 'bogus' }, 'NOT_FOUND'],
      [me, { jobId: JOB_A_OPEN, coverLetter: '熱意'.repeat(2000) + '!' }, 'BAD_USER_INPUT'],
    ];
    const before = await ledgerCounts(candidateId(8));
    for (const [who, variables, code] of cases) {
      const result = await run(APPLY, who, variables);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify([who.role, variables.jobId])).toBe(code);
      expect(result.errors?.[0]?.message).not.toMatch(/候補者|熱意|example\.jp/);
    }
    expect(await ledgerCounts(candidateId(8))).toEqual(before);
    const exactly = await run(APPLY, me, { jobId: JOB_A_OPEN, coverLetter: '熱意'.repeat(2000) });
    expect(exactly.errors).toBeUndefined();
  });
});

describe('updateApplicationStatus', () => {
  const UPDATE = 'mutation ($id: ID!, $status: ApplicationStatus!) { updateApplicationStatus(id: $id, status: $status) { id status updatedAt } }';

  it('only the employer owning the job; others get FORBIDDEN or the same NOT_FOUND as an unknown id', async () => {
    const ok = await run(UPDATE, employerA, { id: APPLICATION_3_A, status: 'INTERVIEW' });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.updateApplicationStatus).toMatchObject({ id: APPLICATION_3_A, status: 'INTERVIEW' });
    expect(ok.data?.updateApplicationStatus.updatedAt).not.toBe('2025-01-01T00:00:12.000Z');

    expect((await run(UPDATE, employerB, { id: APPLICATION_3_A, status: 'REJECTED' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await run(UPDATE, employerA, { id: UNKNOWN_ID, status: 'REJECTED' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await run(UPDATE, employerA, { id: 'bogus', status: 'REJECTED' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await run(UPDATE, caller('candidate', { sub: candidateId(3) }), { id: APPLICATION_3_A, status: 'HIRED' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await run(UPDATE, caller('support'), { id: APPLICATION_3_A, status: 'HIRED' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await run(UPDATE, employerA, { id: APPLICATION_3_A, status: 'WITHDRAWN' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const [row] = await handle.db.select().from(applications).where(eq(applications.id, APPLICATION_3_A));
    expect(row?.status).toBe('INTERVIEW');
  });
});
