// Departed candidates end to end: a candidate whose account is suspended or who left the service is no longer
// disclosed, contacted or surveyed on the strength of a consent they gave while active (directives/standing.ts),
// through every path of the graph that reaches a candidate; uses that need no consent are not affected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { SUBJECT_STANDINGS, type SubjectStanding } from '../directives/standing.ts';
import { readSubjectStanding, recordSubjectStanding } from '../ledger/subjects.ts';
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

/** Every page of the employer's candidate search: is the subject listed? */
async function inEmployerSearch(): Promise<boolean> {
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const r = await ok(
      t.query('query($after: String) { candidates(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', {
        token: employer,
        variables: { after },
      }),
    );
    const { nodes, pageInfo } = r.body.data!.candidates as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    if (nodes.some((n) => n.id === SUBJECT)) return true;
    if (!pageInfo.hasNextPage) return false;
    after = pageInfo.endCursor;
  }
  throw new Error('the search did not end');
}

async function inCampaignAudience(purpose: 'MARKETING' | 'SURVEY'): Promise<boolean> {
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const r = await ok(
      t.query('query($c: ID!, $after: String) { campaignAudience(campaignId: $c, first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', {
        token: marketer,
        purpose,
        variables: { c: DEMO_IDS.campaign, after },
      }),
    );
    const { nodes, pageInfo } = r.body.data!.campaignAudience as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    if (nodes.some((n) => n.id === SUBJECT)) return true;
    if (!pageInfo.hasNextPage) return false;
    after = pageInfo.endCursor;
  }
  throw new Error('the audience did not end');
}

/** What the employer gets of the subject's application to its job (the path the issue reported). */
async function applicationAsSeenByEmployer() {
  const r = await ok(
    t.query('query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidateId coverLetter candidate { id fullName email phone } } } } }', {
      token: employer,
      variables: { job: DEMO_IDS.job },
    }),
  );
  const nodes = r.body.data!.job.applications.nodes as { candidateId: string | null; coverLetter: string | null; candidate: Record<string, unknown> | null }[];
  return { nodes, errors: r.body.errors ?? [] };
}

describe('a candidate whose standing does not honour consent', () => {
  it('is visible on every path while active (the baseline the checks below compare with)', async () => {
    expect(await readSubjectStanding(t.db.db, SUBJECT)).toBe('ACTIVE');
    expect(await inEmployerSearch()).toBe(true);
    expect(await inCampaignAudience('MARKETING')).toBe(true);
    const { nodes } = await applicationAsSeenByEmployer();
    expect(nodes.some((n) => n.candidateId === SUBJECT && typeof n.candidate?.fullName === 'string' && typeof n.candidate?.email === 'string')).toBe(true);
    const direct = await ok(t.query('query($id: ID!) { candidate(id: $id) { fullName email } }', { token: employer, variables: { id: SUBJECT } }));
    expect(direct.body.data!.candidate?.fullName).toEqual(expect.any(String));
  });

  for (const standing of ['SUSPENDED', 'WITHDRAWN'] as const satisfies readonly SubjectStanding[]) {
    it(`${standing}: reaches no employer and no marketer on any path, while support still serves them`, async () => {
      expect(SUBJECT_STANDINGS[standing].honoursConsent).toBe(false);
      await recordSubjectStanding(t.db.db, [{ subjectId: SUBJECT, standing }]);
      try {
        // Employer: search, the application's candidate and its career data, the candidate and node lookups.
        expect(await inEmployerSearch()).toBe(false);
        const { nodes, errors } = await applicationAsSeenByEmployer();
        const mine = nodes.filter((n) => n.candidateId === SUBJECT || n.candidate?.id === SUBJECT);
        expect(mine).toEqual([]);
        expect(JSON.stringify(nodes)).not.toContain(SUBJECT);
        expect(errors.every((e) => e.extensions?.code === 'CONSENT_REQUIRED')).toBe(true);
        for (const query of ['query($id: ID!) { candidate(id: $id) { fullName email } }', 'query($id: ID!) { node(id: $id) { ... on Candidate { fullName email } } }']) {
          const r = await ok(t.query(query, { token: employer, variables: { id: SUBJECT } }));
          expect(JSON.stringify(r.body.data)).not.toMatch(/@|fullName":"[^"]/);
        }
        const apps = await ok(t.query('query($id: ID!) { candidate(id: $id) { applications { coverLetter } } }', { token: employer, variables: { id: SUBJECT } }));
        expect(apps.body.data!.candidate).toBeNull();

        // Marketer: the campaign audience under MARKETING, and the candidate's contact data.
        expect(await inCampaignAudience('MARKETING')).toBe(false);
        const contact = await ok(t.query('query($id: ID!) { candidate(id: $id) { email marketingProfile { campaignHistory { sentAt } } } }', { token: marketer, purpose: 'MARKETING', variables: { id: SUBJECT } }));
        expect(contact.body.data!.candidate).toBeNull();

        // Support needs no consent: the candidate is still served (to answer their inquiry, for example).
        const served = await ok(t.query('query($id: ID!) { candidate(id: $id) { fullName email } }', { token: support, purpose: 'SUPPORT', variables: { id: SUBJECT } }));
        expect(served.body.data!.candidate?.email).toEqual(expect.stringContaining('@'));

        // The candidate may still withdraw, but not grant.
        const grant = await ok(t.query('mutation { grantConsent(purpose: SURVEY) { granted } }', { token: candidate }));
        expect(grant.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        const applyAgain = await ok(t.query('mutation($job: ID!) { applyToJob(jobId: $job) { id } }', { token: candidate, variables: { job: DEMO_IDS.job } }));
        expect(applyAgain.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      } finally {
        await recordSubjectStanding(t.db.db, [{ subjectId: SUBJECT, standing: 'ACTIVE' }]);
      }
      // Active again, the same consents count again: the checks above were about standing, nothing else.
      expect(await inEmployerSearch()).toBe(true);
      expect(await inCampaignAudience('MARKETING')).toBe(true);
    });
  }
});
