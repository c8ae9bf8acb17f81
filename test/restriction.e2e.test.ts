// Suspension of use (APPI Art. 35) end to end: restrictProcessing withholds the candidate's values under the restricted
// purpose, on every path of the graph that reaches them (row filters and per-subject nulls), and not under the others;
// liftRestriction restores them; bad input writes nothing; staff can file on the candidate's behalf.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { dsrRequests, restrictions } from '../db/schema/rights.ts';
import { PURPOSE_CODES, PURPOSES, RESTRICTABLE_PURPOSES } from '../directives/purposes.ts';
import { demoTokens, startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

/** The demo candidate: applied to DEMO_IDS.job at DEMO_IDS.employer, grants MARKETING, recipient of DEMO_IDS.campaign. */
const SUBJECT = DEMO_IDS.candidate;

let t: TestSystem;
let employer: string;
let marketer: string;
let support: string;
let candidate: string;

beforeAll(async () => {
  t = await startTestSystem();
  ({ employer, marketer, support, candidate } = await demoTokens(t));
});

afterAll(async () => {
  await t?.close();
});

async function ok(res: Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r;
}

type Page = { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function listed(query: string, options: { token: string; purpose?: string; variables?: Record<string, unknown> }, field: string): Promise<boolean> {
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const r = await ok(t.query(query, { ...options, variables: { ...options.variables, after } }));
    const { nodes, pageInfo } = r.body.data![field] as Page;
    if (nodes.some((n) => n.id === SUBJECT)) return true;
    if (!pageInfo.hasNextPage) return false;
    after = pageInfo.endCursor;
  }
  throw new Error('the list did not end');
}

const SEARCH = 'query($after: String) { candidates(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';
const AUDIENCE = 'query($c: ID!, $after: String) { campaignAudience(campaignId: $c, first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';

const inEmployerSearch = () => listed(SEARCH, { token: employer }, 'candidates');
const inStaffSearch = () => listed(SEARCH, { token: support, purpose: 'SUPPORT' }, 'candidates');
const inAudience = (purpose: 'MARKETING' | 'SURVEY') => listed(AUDIENCE, { token: marketer, purpose, variables: { c: DEMO_IDS.campaign } }, 'campaignAudience');

/** The subject's application to DEMO_IDS.job with its candidate's name, as the caller sees it. */
async function applicant(token: string, purpose?: string) {
  const r = await ok(
    t.query('query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidateId candidate { id fullName email } } } } }', {
      token,
      purpose,
      variables: { job: DEMO_IDS.job },
    }),
  );
  const nodes = r.body.data!.job.applications.nodes as { candidateId: string | null; candidate: { id: string; fullName: string | null; email: string | null } | null }[];
  const index = nodes.findIndex((n) => n.candidateId === SUBJECT || n.candidate?.id === SUBJECT);
  const errors = (r.body.errors ?? []).filter((e) => e.path?.[3] === index);
  return { node: index >= 0 ? nodes[index]! : null, errors };
}

async function direct(token: string, purpose?: string) {
  const r = await ok(t.query('query($id: ID!) { candidate(id: $id) { fullName email } }', { token, purpose, variables: { id: SUBJECT } }));
  return r.body.data!.candidate as { fullName: string | null; email: string | null } | null;
}

const RESTRICT = 'mutation($p: [PurposeOfUse!]!) { restrictProcessing(purposes: $p) { id kind status subjectId filedBy items completedAt dueAt receivedAt overdue } }';
const LIFT = 'mutation($p: [PurposeOfUse!]!) { liftRestriction(purposes: $p) { id kind status items } }';

async function tables() {
  const [requests] = await t.db.db.select({ n: count() }).from(dsrRequests).where(eq(dsrRequests.subjectId, SUBJECT));
  const rows = await t.db.db.select({ purpose: restrictions.purpose }).from(restrictions).where(eq(restrictions.subjectId, SUBJECT));
  return { requests: requests!.n, restricted: rows.map((r) => r.purpose).sort() };
}

describe('restrictProcessing and liftRestriction', () => {
  it('the policy table says which purposes can be restricted, each with a reason and a seed clause', () => {
    expect([...RESTRICTABLE_PURPOSES].sort()).toEqual(['ADVERTISING', 'EMPLOYER_DISCLOSURE', 'MARKETING', 'SUPPORT', 'SURVEY']);
    for (const p of PURPOSE_CODES) {
      expect(PURPOSES[p].restriction.reason.length).toBeGreaterThan(10);
      expect(PURPOSES[p].restriction.sources.length).toBeGreaterThan(0);
      if (PURPOSES[p].legalBasis) expect(PURPOSES[p].restriction.allowed).toBe(false);
    }
    expect(PURPOSES.SERVICE_PROVISION.restriction.allowed).toBe(false);
  });

  it('baseline: the subject is reached under every purpose', async () => {
    expect(await inEmployerSearch()).toBe(true);
    expect(await inAudience('MARKETING')).toBe(true);
    expect(await inStaffSearch()).toBe(true);
    expect((await applicant(employer)).node?.candidate?.fullName).toEqual(expect.any(String));
    expect((await applicant(support, 'SUPPORT')).node?.candidate?.fullName).toEqual(expect.any(String));
    expect((await direct(support, 'SUPPORT'))?.email).toContain('@');
  });

  it('EMPLOYER_DISCLOSURE: withheld from employers on every path (consent still granted), not from marketing or support; lifting restores it', async () => {
    const before = await tables();
    const r = await ok(t.query(RESTRICT, { token: candidate, variables: { p: ['EMPLOYER_DISCLOSURE'] } }));
    expect(r.body.errors).toBeUndefined();
    const request = r.body.data!.restrictProcessing;
    expect(request).toMatchObject({ kind: 'RESTRICTION', status: 'COMPLETED', subjectId: SUBJECT, filedBy: 'SUBJECT', items: ['EMPLOYER_DISCLOSURE'], overdue: false });
    expect(new Date(request.dueAt).getTime() - new Date(request.receivedAt).getTime()).toBe(14 * 86_400_000);
    expect(await tables()).toEqual({ requests: before.requests + 1, restricted: ['EMPLOYER_DISCLOSURE'] });
    try {
      // Employer: the search drops the subject, the application's candidate is withheld, the lookup is null.
      expect(await inEmployerSearch()).toBe(false);
      // The applicants list drops the application (the subgraph's row filter), as for a withdrawn consent.
      expect((await applicant(employer)).node).toBeNull();
      expect(await direct(employer)).toBeNull();
      // The consent itself stands (the restriction is what stops the use).
      const consents = await ok(t.query('{ me { consents { purpose recipientId granted } } }', { token: candidate }));
      expect((consents.body.data!.me.consents as { purpose: string; granted: boolean }[]).some((c) => c.purpose === 'EMPLOYER_DISCLOSURE' && c.granted)).toBe(true);
      // Other purposes are untouched.
      expect(await inAudience('MARKETING')).toBe(true);
      expect((await direct(support, 'SUPPORT'))?.email).toContain('@');
      // Idempotent: a second restriction is recorded, the restriction stays one row.
      await ok(t.query(RESTRICT, { token: candidate, variables: { p: ['EMPLOYER_DISCLOSURE', 'EMPLOYER_DISCLOSURE'] } }));
      expect((await tables()).restricted).toEqual(['EMPLOYER_DISCLOSURE']);
    } finally {
      const lifted = await ok(t.query(LIFT, { token: candidate, variables: { p: ['EMPLOYER_DISCLOSURE'] } }));
      expect(lifted.body.data!.liftRestriction).toMatchObject({ kind: 'LIFT_RESTRICTION', status: 'COMPLETED', items: ['EMPLOYER_DISCLOSURE'] });
    }
    expect((await tables()).restricted).toEqual([]);
    expect(await inEmployerSearch()).toBe(true);
    expect((await applicant(employer)).node?.candidate?.fullName).toEqual(expect.any(String));
    expect((await direct(employer))?.fullName).toEqual(expect.any(String));
  });

  it('MARKETING: the audience drops the subject under MARKETING only; lifting restores it', async () => {
    await ok(t.query(RESTRICT, { token: candidate, variables: { p: ['MARKETING'] } }));
    try {
      expect(await inAudience('MARKETING')).toBe(false);
      expect(await direct(marketer, 'MARKETING')).toBeNull();
      expect(await inEmployerSearch()).toBe(true);
    } finally {
      await ok(t.query(LIFT, { token: candidate, variables: { p: ['MARKETING'] } }));
    }
    expect(await inAudience('MARKETING')).toBe(true);
  });

  it('SUPPORT (no consent): staff lose the subject under SUPPORT — lookup, search, and per-subject nulls on applications — but not under IDENTITY_VERIFICATION', async () => {
    await ok(t.query(RESTRICT, { token: candidate, variables: { p: ['SUPPORT'] } }));
    try {
      expect(await direct(support, 'SUPPORT')).toBeNull();
      expect(await inStaffSearch()).toBe(false);
      // The applications list under SUPPORT: the subject's application stays (no consent filters it), but every
      // personal value of theirs is withheld at its path, as for a missing consent; the other applicants are served.
      const r = await ok(
        t.query('query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidateId candidate { id fullName } } } } }', { token: support, purpose: 'SUPPORT', variables: { job: DEMO_IDS.job } }),
      );
      const nodes = r.body.data!.job.applications.nodes as { candidateId: string | null; candidate: { id: string; fullName: string | null } | null }[];
      expect(JSON.stringify(r.body.data)).not.toContain(SUBJECT);
      const withheld = nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.candidateId === null);
      expect(withheld).toHaveLength(1);
      const errors = (r.body.errors ?? []).filter((e) => e.path?.[3] === withheld[0]!.i);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.extensions?.code === 'CONSENT_REQUIRED')).toBe(true);
      const others = nodes.filter((n) => n.candidateId !== null);
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((n) => typeof n.candidate?.fullName === 'string')).toBe(true);
      // Identity verification cannot be restricted: staff still reach the candidate under it.
      const verified = await ok(t.query('query($id: ID!) { candidate(id: $id) { fullName } }', { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { id: SUBJECT } }));
      expect(verified.body.data!.candidate?.fullName).toEqual(expect.any(String));
      // Employers are untouched.
      expect(await inEmployerSearch()).toBe(true);
    } finally {
      await ok(t.query(LIFT, { token: candidate, variables: { p: ['SUPPORT'] } }));
    }
    expect((await direct(support, 'SUPPORT'))?.email).toContain('@');
    expect(await inStaffSearch()).toBe(true);
  });

  it('bad input is BAD_USER_INPUT naming the purpose or argument, and writes nothing', async () => {
    const before = await tables();
    const cases: { query: string; variables: Record<string, unknown>; token: string; purpose?: string; code: string; names?: string }[] = [
      { query: RESTRICT, variables: { p: ['SERVICE_PROVISION'] }, token: candidate, code: 'BAD_USER_INPUT', names: 'SERVICE_PROVISION' },
      { query: RESTRICT, variables: { p: ['MARKETING', 'LEGAL_OBLIGATION'] }, token: candidate, code: 'BAD_USER_INPUT', names: 'LEGAL_OBLIGATION' },
      { query: RESTRICT, variables: { p: ['IDENTITY_VERIFICATION'] }, token: candidate, code: 'BAD_USER_INPUT', names: 'IDENTITY_VERIFICATION' },
      { query: LIFT, variables: { p: ['ANALYTICS'] }, token: candidate, code: 'BAD_USER_INPUT', names: 'ANALYTICS' },
      { query: RESTRICT, variables: { p: [] }, token: candidate, code: 'BAD_USER_INPUT', names: 'purposes' },
      { query: RESTRICT, variables: { p: ['MARKETING'] }, token: employer, code: 'FORBIDDEN' },
      {
        query: 'mutation($p: [PurposeOfUse!]!, $s: ID) { restrictProcessing(purposes: $p, subject: $s) { id } }',
        variables: { p: ['MARKETING'], s: SUBJECT },
        token: support,
        purpose: 'IDENTITY_VERIFICATION',
        code: 'BAD_USER_INPUT',
        names: 'verification',
      },
      {
        query: 'mutation($p: [PurposeOfUse!]!, $s: ID, $v: String) { restrictProcessing(purposes: $p, subject: $s, verification: $v) { id } }',
        variables: { p: ['MARKETING'], s: SUBJECT, v: 'IDV-1' },
        token: support,
        purpose: 'SUPPORT',
        code: 'FORBIDDEN',
      },
    ];
    for (const c of cases) {
      const r = await t.query(c.query, { token: c.token, purpose: c.purpose, variables: c.variables });
      const error = r.body.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(r.body)).toBe(c.code);
      if (c.names) expect(error?.message).toContain(c.names);
      expect(r.body.data?.restrictProcessing ?? r.body.data?.liftRestriction ?? null).toBeNull();
    }
    expect(await tables()).toEqual(before);
  });

  it('staff file on the candidate\'s behalf under IDENTITY_VERIFICATION with a verification reference', async () => {
    const q = 'mutation($p: [PurposeOfUse!]!, $s: ID, $v: String) { restrictProcessing(purposes: $p, subject: $s, verification: $v) { subjectId filedBy items } }';
    const r = await ok(t.query(q, { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { p: ['SURVEY'], s: SUBJECT, v: 'IDV-2026-0042' } }));
    expect(r.body.data!.restrictProcessing).toEqual({ subjectId: SUBJECT, filedBy: 'support', items: ['SURVEY'] });
    try {
      expect(await inAudience('SURVEY')).toBe(false);
      const [row] = await t.db.db.select().from(dsrRequests).where(eq(dsrRequests.filedByRole, 'support'));
      expect(row).toMatchObject({ kind: 'RESTRICTION', verification: 'IDV-2026-0042', detail: { purposes: ['SURVEY'] } });
    } finally {
      const lift = 'mutation($p: [PurposeOfUse!]!, $s: ID, $v: String) { liftRestriction(purposes: $p, subject: $s, verification: $v) { items } }';
      await ok(t.query(lift, { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { p: ['SURVEY'], s: SUBJECT, v: 'IDV-2026-0042' } }));
    }
    expect(await inAudience('SURVEY')).toBe(true);
  });

  it('the candidate sees their standing restrictions on their own record, and so does support; an employer does not', async () => {
    const mine = '{ me { restrictions { purpose restrictedAt } } }';
    expect((await ok(t.query(mine, { token: candidate }))).body.data!.me.restrictions).toEqual([]);
    await ok(t.query(RESTRICT, { token: candidate, variables: { p: ['ADVERTISING', 'MARKETING'] } }));
    try {
      const listed = (await ok(t.query(mine, { token: candidate }))).body.data!.me.restrictions as { purpose: string; restrictedAt: string }[];
      expect(listed.map((r) => r.purpose).sort()).toEqual(['ADVERTISING', 'MARKETING']);
      for (const r of listed) expect(Date.now() - Date.parse(r.restrictedAt)).toBeLessThan(60_000);
      const staff = await t.query(`{ candidate(id: "${SUBJECT}") { restrictions { purpose } } }`, { token: support, purpose: 'SUPPORT' });
      expect(staff.body.data!.candidate.restrictions.map((r: { purpose: string }) => r.purpose).sort()).toEqual(['ADVERTISING', 'MARKETING']);
      const other = await t.query(`{ candidate(id: "${SUBJECT}") { restrictions { purpose } } }`, { token: employer, purpose: 'EMPLOYER_DISCLOSURE' });
      expect(other.body.data?.candidate?.restrictions ?? null).toBeNull();
      expect(JSON.stringify(other.body)).not.toContain('ADVERTISING');
    } finally {
      await ok(t.query(LIFT, { token: candidate, variables: { p: ['ADVERTISING', 'MARKETING'] } }));
    }
    expect((await ok(t.query(mine, { token: candidate }))).body.data!.me.restrictions).toEqual([]);
  });
});
