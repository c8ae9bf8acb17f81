// Callers never share outcomes: the same operation text sent by callers with different roles or purposes, in a row
// or at once, gets each caller's own answer every time (no cached plan or shaped result crosses over). Strict privacy
// mode refuses an operation that would withhold anything before any subgraph is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { DEMO_IDS } from '../db/seed/index.ts';
import { recordConsent } from '../ledger/store.ts';
import {
  ASCII_LEGAL_BASIS,
  expectedMask,
  fieldErrors,
  legalBasisHeader,
  maskEntries,
  subgraphRequests,
  type FieldError,
  type MaskEntry,
} from './privacy-helpers.ts';
import { startTestSystem, type GraphQLResponse, type RequestOptions, type TestSystem } from './system.ts';

let t: TestSystem;
let demo: any;
let open: any;

const LEGAL = legalBasisHeader(ASCII_LEGAL_BASIS);

/** What the contract fixes about a response: the data, the privacy errors, the masks. */
interface Outcome {
  data: unknown;
  errors: FieldError[];
  masks: MaskEntry[];
}

function outcomeOf(res: GraphQLResponse): Outcome {
  return { data: res.body.data, errors: fieldErrors(res.body), masks: maskEntries(res.body) };
}

const mask = (strategy: string, value: unknown) => expectedMask(strategy, value, { now: new Date(), pseudonymKey: t.keys.pseudonymKey });

interface Caller {
  name: string;
  options: () => Promise<RequestOptions>;
  expected: () => Outcome;
}

/** Sends the same operation for each caller in turn, `rounds` times, and checks every answer against its own expectation. */
async function alternate(query: string, callers: Caller[], rounds: number) {
  const options = await Promise.all(callers.map((c) => c.options()));
  const expected = callers.map((c) => c.expected());
  for (let round = 0; round < rounds; round++) {
    for (const [i, caller] of callers.entries()) {
      const res = await t.query(query, options[i]);
      expect(res.status, `${caller.name}, round ${round}`).toBe(200);
      expect(outcomeOf(res), `${caller.name}, round ${round}`).toEqual(expected[i]);
    }
  }
}

/** The same, with every caller's request in flight at once in each round. */
async function concurrently(query: string, callers: Caller[], rounds: number) {
  const options = await Promise.all(callers.map((c) => c.options()));
  const expected = callers.map((c) => c.expected());
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(options.map((o) => t.query(query, o)));
    results.forEach((res, i) => expect(outcomeOf(res), `${callers[i]!.name}, round ${round}`).toEqual(expected[i]));
  }
}

const SAME = `query Same($id: ID!) {
  c: candidate(id: $id) { id email phone birthDate residenceCard { number nationality } resume { summary } address { city } }
}`;

const support = (purpose: string): Promise<RequestOptions> =>
  t.token({ role: 'support' }).then((token) => ({ token, purpose, variables: { id: DEMO_IDS.candidate } }));

const supportUnderSupport: Caller = {
  name: 'support/SUPPORT',
  options: () => support('SUPPORT'),
  expected: () => ({
    data: {
      c: {
        id: demo.id,
        email: demo.email,
        phone: demo.phone,
        birthDate: mask('AGE_BAND', demo.birthDate),
        residenceCard: { number: mask('LAST4', demo.residenceCard.number), nationality: demo.residenceCard.nationality },
        resume: { summary: demo.resume.summary },
        address: { city: demo.address.city },
      },
    },
    errors: [],
    masks: [
      { path: ['c', 'birthDate'], coordinate: 'Candidate.birthDate', strategy: 'AGE_BAND' },
      { path: ['c', 'residenceCard', 'number'], coordinate: 'ResidenceCard.number', strategy: 'LAST4' },
    ],
  }),
};

const supportUnderIdentityVerification: Caller = {
  name: 'support/IDENTITY_VERIFICATION',
  options: () => support('IDENTITY_VERIFICATION'),
  expected: () => ({
    data: {
      c: {
        id: demo.id,
        email: mask('EMAIL', demo.email),
        phone: mask('PHONE_LAST4', demo.phone),
        birthDate: demo.birthDate,
        residenceCard: { number: demo.residenceCard.number, nationality: demo.residenceCard.nationality },
        resume: null,
        address: { city: demo.address.city },
      },
    },
    errors: [{ path: ['c', 'resume'], code: 'PII_REDACTED', coordinate: 'Candidate.resume' }],
    masks: [
      { path: ['c', 'email'], coordinate: 'Candidate.email', strategy: 'EMAIL' },
      { path: ['c', 'phone'], coordinate: 'Candidate.phone', strategy: 'PHONE_LAST4' },
    ],
  }),
};

const complianceUnderLegalObligation: Caller = {
  name: 'compliance/LEGAL_OBLIGATION',
  options: () =>
    t.token({ role: 'compliance' }).then((token) => ({ token, purpose: 'LEGAL_OBLIGATION', headers: LEGAL, variables: { id: DEMO_IDS.candidate } })),
  expected: () => ({
    data: {
      c: {
        id: demo.id,
        email: demo.email,
        phone: demo.phone,
        birthDate: demo.birthDate,
        residenceCard: { number: demo.residenceCard.number, nationality: demo.residenceCard.nationality },
        resume: { summary: demo.resume.summary },
        address: { city: demo.address.city },
      },
    },
    errors: [],
    masks: [],
  }),
};

const analyst: Caller = {
  name: 'analyst/ANALYTICS',
  options: () => t.token({ role: 'analyst' }).then((token) => ({ token, variables: { id: DEMO_IDS.candidate } })),
  expected: () => ({ data: { c: null }, errors: [], masks: [] }),
};

beforeAll(async () => {
  t = await startTestSystem();
  const token = async (sub: string) => t.token({ role: 'candidate', sub });
  const read = async (sub: string) =>
    (
      await t.query(`{ me { id email phone birthDate residenceCard { number nationality } resume { summary } address { city } } }`, {
        token: await token(sub),
      })
    ).body.data!.me;
  [demo, open] = await Promise.all([read(DEMO_IDS.candidate), read(DEMO_IDS.openCandidate)]);
  expect(demo.residenceCard).not.toBeNull();
});

afterAll(async () => {
  await t?.close();
});

describe('the same operation from different callers', () => {
  it('support under SUPPORT and under IDENTITY_VERIFICATION, alternately 100 times each', async () => {
    await alternate(SAME, [supportUnderSupport, supportUnderIdentityVerification], 100);
  });

  it('compliance under LEGAL_OBLIGATION and an analyst, alternately 100 times each', async () => {
    await alternate(SAME, [complianceUnderLegalObligation, analyst], 100);
  });

  it('purposes whose rewritten operations are identical still get their own masks, alternately 50 times each', async () => {
    // Neither purpose withholds anything here, so both send the subgraphs the same operation (one gateway query plan);
    // only the shaping differs.
    const query = `query Masks($id: ID!) { c: candidate(id: $id) { email residenceCard { number } } }`;
    const expected = (purpose: 'SUPPORT' | 'IDENTITY_VERIFICATION'): Outcome =>
      purpose === 'SUPPORT'
        ? {
            data: { c: { email: demo.email, residenceCard: { number: mask('LAST4', demo.residenceCard.number) } } },
            errors: [],
            masks: [{ path: ['c', 'residenceCard', 'number'], coordinate: 'ResidenceCard.number', strategy: 'LAST4' }],
          }
        : {
            data: { c: { email: mask('EMAIL', demo.email), residenceCard: { number: demo.residenceCard.number } } },
            errors: [],
            masks: [{ path: ['c', 'email'], coordinate: 'Candidate.email', strategy: 'EMAIL' }],
          };
    await alternate(
      query,
      (['SUPPORT', 'IDENTITY_VERIFICATION'] as const).map((purpose) => ({ name: purpose, options: () => support(purpose), expected: () => expected(purpose) })),
      50,
    );
  });

  it('two candidates asking for "me" each get their own record, alternately 50 times each', async () => {
    const query = `{ me { id email } }`;
    const candidate = (record: any): Caller => ({
      name: record.id,
      options: () => t.token({ role: 'candidate', sub: record.id }).then((token) => ({ token })),
      expected: () => ({ data: { me: { id: record.id, email: record.email } }, errors: [], masks: [] }),
    });
    await alternate(query, [candidate(demo), candidate(open)], 50);
  });

  it('all of them at once, 50 rounds', async () => {
    await concurrently(SAME, [supportUnderSupport, supportUnderIdentityVerification, complianceUnderLegalObligation, analyst], 50);
  });
});

describe('strict privacy mode', () => {
  const strict = { 'x-privacy-mode': 'strict' };

  async function rejected(query: string, options: RequestOptions, coordinates: string[]) {
    const before = subgraphRequests(t);
    const res = await t.query(query, { ...options, headers: { ...options.headers, ...strict } });
    expect(subgraphRequests(t), 'strict mode asked a subgraph').toBe(before);
    expect(res.status).toBe(403);
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions?.code).toBe('OPERATION_REJECTED');
    expect(res.body.errors![0]!.extensions?.coordinates).toEqual(coordinates);
    expect(res.body.errors![0]!.path).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(demo.email);
  }

  it('rejects an operation with anything withheld: null data, one OPERATION_REJECTED naming every coordinate, no subgraph request', async () => {
    await rejected(
      `query($id: ID!, $c: ID!) {
        c: candidate(id: $id) { id email phone fullName address { city } }
        a: campaignAudience(campaignId: $c, first: 3) { nodes { id email birthDate } }
      }`,
      { token: await t.token({ role: 'marketer' }), purpose: 'SURVEY', variables: { id: DEMO_IDS.candidate, c: DEMO_IDS.campaign } },
      ['Address.city', 'Candidate.email', 'Candidate.phone'],
    );
    await rejected(`query($id: ID!) { c: candidate(id: $id) { id fullName email } }`, { token: await t.token({ role: 'analyst' }), variables: { id: DEMO_IDS.candidate } }, [
      'Candidate.email',
      'Candidate.fullName',
    ]);
    await rejected(
      `{ candidates(first: 3) { nodes { id fullName birthDate residenceCard { number } resume { summary } applications { coverLetter } marketingProfile { campaignHistory { openedAt } } } } }`,
      { token: await t.token({ role: 'support' }), purpose: 'BILLING' },
      ['Candidate.applications', 'Candidate.birthDate', 'Candidate.marketingProfile', 'Candidate.residenceCard', 'Candidate.resume'],
    );
    // A withheld field hidden in a fragment on an interface counts too.
    await rejected(
      `query($id: ID!) { node(id: $id) { id ...F } } fragment F on Candidate { desiredIndustries phone }`,
      { token: await t.token({ role: 'marketer' }), purpose: 'ADVERTISING', variables: { id: DEMO_IDS.candidate } },
      ['Candidate.phone'],
    );
  });

  it('runs an operation with nothing withheld normally, masks included', async () => {
    const options = await supportUnderSupport.options();
    const before = subgraphRequests(t);
    const res = await t.query(SAME, { ...options, headers: strict });
    expect(subgraphRequests(t)).toBeGreaterThan(before);
    expect(res.status).toBe(200);
    expect(outcomeOf(res)).toEqual(supportUnderSupport.expected());
  });

  it('decides per request: the same operation alternately in strict and lenient mode', async () => {
    const options = await supportUnderIdentityVerification.options();
    for (let round = 0; round < 20; round++) {
      const lenient = await t.query(SAME, { ...options, headers: { 'x-privacy-mode': 'lenient' } });
      expect(outcomeOf(lenient)).toEqual(supportUnderIdentityVerification.expected());
      await rejected(SAME, options, ['Candidate.resume']);
    }
  });

  it('rejects an operation whose only withholding is a missing consent', async () => {
    // Consent is per subject, so it is known only once the subjects are: the subgraphs are asked, nothing is released.
    const [row] = await rowsOf(
      t.db.db.execute(
        sql`select candidate_id from employers.applications where job_id = ${DEMO_IDS.job}::uuid and candidate_id <> ${DEMO_IDS.candidate}::uuid order by candidate_id limit 1`,
      ),
    );
    const applicant = row!.candidate_id;
    await recordConsent(t.db.db, {
      subjectId: applicant,
      purpose: 'EMPLOYER_DISCLOSURE',
      recipientId: DEMO_IDS.employer,
      action: 'WITHDRAW',
      source: 'PRIVACY_CENTER',
      actor: applicant,
    });
    const query = `query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { id coverLetter candidate { id email } } } } }`;
    const token = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const lenient = await t.query(query, { token, variables: { job: DEMO_IDS.job } });
    expect(fieldErrors(lenient.body).every((e) => e.code === 'CONSENT_REQUIRED')).toBe(true);
    // Who applied is itself consent-gated, so the whole candidate is withheld (no separate error for its e-mail).
    expect(new Set(fieldErrors(lenient.body).map((e) => e.coordinate))).toEqual(new Set(['Application.candidate', 'Application.coverLetter']));
    const res = await t.query(query, { token, variables: { job: DEMO_IDS.job }, headers: strict });
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions?.code).toBe('OPERATION_REJECTED');
    expect(res.body.errors![0]!.extensions?.coordinates).toEqual(['Application.candidate', 'Application.coverLetter']);
    const applicantEmail = (await t.query('{ me { email } }', { token: await t.token({ role: 'candidate', sub: applicant }) })).body.data!.me.email;
    expect(JSON.stringify(res.body)).not.toContain(applicantEmail);
    expect(JSON.stringify(res.body)).not.toContain(demo.email);
  });

  it('refuses an unknown x-privacy-mode with 400 before anything runs', async () => {
    const options = await supportUnderSupport.options();
    for (const mode of ['strcit', 'off', 'strict,lenient', '1']) {
      const before = subgraphRequests(t);
      const res = await t.query(SAME, { ...options, headers: { 'x-privacy-mode': mode } });
      expect(subgraphRequests(t)).toBe(before);
      expect(res.status, mode).toBe(400);
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

async function rowsOf(result: Promise<unknown>): Promise<{ candidate_id: string }[]> {
  const rows = await result;
  return (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { candidate_id: string }[];
}
