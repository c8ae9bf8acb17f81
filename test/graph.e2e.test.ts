// The federated graph over real HTTP: entity resolution across all three subgraphs, employer views, applying, auth errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { signToken } from '../gateway/token.ts';
import { startTestSystem, type TestSystem } from './system.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem();
});
afterAll(async () => {
  await t?.close();
});

describe('candidate', () => {
  it('reads their own record with fields from users, employers and marketing', async () => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const res = await t.query(
      `{ me { id fullName email address { prefecture city } residenceCard { number }
             applications { status job { title employer { name } } }
             marketingProfile { adIdentifiers { kind value } } } }`,
      { token },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const me = res.body.data!.me;
    expect(me.id).toBe(DEMO_IDS.candidate);
    expect(typeof me.fullName).toBe('string');
    expect(me.email).toMatch(/@/);
    expect(me.residenceCard.number).toMatch(/^[A-Z]{2}\d{8}[A-Z]{2}$/);
    expect(me.applications.length).toBeGreaterThanOrEqual(2);
    expect(typeof me.applications[0].job.employer.name).toBe('string');
    expect(me.marketingProfile.adIdentifiers.length).toBeGreaterThan(0);
  });

  it('applies to a job: the application persists and the employer sees it', async () => {
    const candidate = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const employer = await t.token({ role: 'employer', org: DEMO_IDS.otherEmployer });
    const jobs = await t.query(`query($e: ID) { jobs(first: 50, filter: { employerId: $e }) { nodes { id status } } }`, {
      token: employer,
      variables: { e: DEMO_IDS.otherEmployer },
    });
    const before = await t.query('{ me { applications { job { id } } } }', { token: candidate });
    const applied = new Set(before.body.data!.me.applications.map((a: any) => a.job.id));
    const job = jobs.body.data!.jobs.nodes.find((j: any) => j.status === 'OPEN' && !applied.has(j.id));
    expect(job).toBeDefined();

    const res = await t.query(
      `mutation($job: ID!) { applyToJob(jobId: $job, coverLetter: "よろしくお願いいたします。") { id status job { id } } }`,
      { token: candidate, variables: { job: job.id } },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.applyToJob).toMatchObject({ status: 'SUBMITTED', job: { id: job.id } });

    const after = await t.query('{ me { applications { id job { id } } } }', { token: candidate });
    expect(after.body.data!.me.applications.map((a: any) => a.id)).toContain(res.body.data!.applyToJob.id);

    const seen = await t.query(
      `query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { id coverLetter candidate { id } } } } }`,
      { token: employer, variables: { job: job.id } },
    );
    const application = seen.body.data!.job.applications.nodes.find((a: any) => a.id === res.body.data!.applyToJob.id);
    expect(application).toMatchObject({ coverLetter: 'よろしくお願いいたします。', candidate: { id: DEMO_IDS.candidate } });

    const again = await t.query(`mutation($job: ID!) { applyToJob(jobId: $job) { id } }`, { token: candidate, variables: { job: job.id } });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('employer', () => {
  it('lists its own jobs and the applications to them', async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const res = await t.query(
      `{ myEmployer { id name jobs(first: 20) { nodes { id title employer { id } applications(first: 100) { nodes { id job { employer { id } } } } } } } }`,
      { token },
    );
    expect(res.body.errors).toBeUndefined();
    const employer = res.body.data!.myEmployer;
    expect(employer.id).toBe(DEMO_IDS.employer);
    expect(employer.jobs.nodes.length).toBeGreaterThanOrEqual(5);
    const applications = employer.jobs.nodes.flatMap((j: any) => j.applications.nodes);
    expect(applications.length).toBeGreaterThanOrEqual(10);
    for (const job of employer.jobs.nodes) expect(job.employer.id).toBe(DEMO_IDS.employer);
    for (const a of applications) expect(a.job.employer.id).toBe(DEMO_IDS.employer);
  });

  it("cannot read another employer's applications", async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const other = await t.query(`query($e: ID) { jobs(first: 5, filter: { employerId: $e }) { nodes { applications(first: 10) { nodes { id } } } } }`, {
      token,
      variables: { e: DEMO_IDS.otherEmployer },
    });
    expect(other.body.errors).toBeUndefined();
    for (const job of other.body.data!.jobs.nodes) expect(job.applications.nodes).toEqual([]);
  });

  it('pages through jobs with a cursor and refuses pages over 100', async () => {
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const first = await t.query('{ jobs(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }', { token });
    const second = await t.query('query($a: String) { jobs(first: 2, after: $a) { nodes { id } } }', {
      token,
      variables: { a: first.body.data!.jobs.pageInfo.endCursor },
    });
    expect(first.body.data!.jobs.pageInfo.hasNextPage).toBe(true);
    const ids = [...first.body.data!.jobs.nodes, ...second.body.data!.jobs.nodes].map((j: any) => j.id);
    expect(new Set(ids).size).toBe(4);
    const tooMany = await t.query('{ jobs(first: 101) { nodes { id } } }', { token });
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await t.query('{ jobs(first: 1, after: "nope") { nodes { id } } }', { token });
    expect(badCursor.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('authentication', () => {
  const query = '{ jobs(first: 1) { nodes { id } } }';
  it('rejects a request without a token', async () => {
    const res = await t.query(query);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.message).toMatch(/Authorization header missing/);
  });

  it('says why a token is refused without echoing it', async () => {
    const expired = await signToken(t.keys.issuer, {
      sub: 'x',
      role: 'analyst',
      purposes: ['ANALYTICS'],
      issuer: t.auth.issuer,
      audience: t.auth.audience,
      now: new Date(Date.now() - 7_200_000),
      expiresIn: 3600,
    });
    const wrongAudience = await signToken(t.keys.issuer, { sub: 'x', role: 'analyst', purposes: ['ANALYTICS'], issuer: t.auth.issuer, audience: 'someone-else' });
    const otherKey = await signToken({ kid: 'unknown-key', privateKey: t.keys.assertion.privateKey }, {
      sub: 'x',
      role: 'analyst',
      purposes: ['ANALYTICS'],
      issuer: t.auth.issuer,
      audience: t.auth.audience,
    });
    const cases: [string, string, RegExp][] = [
      ['expired', expired, /expired/],
      ['wrong audience', wrongAudience, /audience/],
      ['unknown key', otherKey, /unknown key/],
      ['garbage', 'not.a.token', /malformed/],
    ];
    for (const [name, token, message] of cases) {
      const res = await t.query(query, { token });
      expect(res.status, name).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.message, name).toMatch(message);
      expect(JSON.stringify(res.body), name).not.toContain(token);
    }
  });

  it('refuses a token without kid and an unsigned token', async () => {
    const [header, payload] = (await t.token({ role: 'analyst' })).split('.');
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString());
    const noKid = Buffer.from(JSON.stringify({ ...decoded, kid: undefined })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: decoded.kid })).toString('base64url');
    for (const token of [`${noKid}.${payload}.sig`, `${none}.${payload}.`]) {
      const res = await t.query(query, { token });
      expect(res.status).toBe(401);
    }
  });

  it('refuses an employer token without org and a token with an unknown role', async () => {
    for (const claims of [{ role: 'employer' }, { role: 'admin' }]) {
      const token = await signToken(t.keys.issuer, { sub: 'x', purposes: ['EMPLOYER_DISCLOSURE'], issuer: t.auth.issuer, audience: t.auth.audience, ...(claims as any) });
      const res = await t.query(query, { token });
      expect(res.status).toBe(401);
    }
  });
});

describe('subgraphs', () => {
  it('answer 401 to requests that do not come from the gateway', async () => {
    for (const subgraph of Object.values(t.system.subgraphs)) {
      for (const query of ['{ _service { sdl } }', '{ _entities(representations: [{ __typename: "Candidate", id: "x" }]) { __typename } }']) {
        const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        expect(res.status).toBe(401);
      }
    }
  });
});
