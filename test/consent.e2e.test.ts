// Consent end to end over real HTTP through the gateway: the consent matrix, existence leaks, the gateway's single
// consent lookup, the append-only ledger and the candidate's own view of their consents.
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applications, jobs } from '../db/schema/employers.ts';
import { campaignRecipients } from '../db/schema/marketing.ts';
import { consentEvents, consents } from '../db/schema/privacy.ts';
import { candidates, resumes } from '../db/schema/users.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import type { ConsentPurpose } from '../directives/purposes.ts';
import { hasConsentSql, subjectHonoursConsentSql } from '../ledger/consent.ts';
import { recordConsent } from '../ledger/store.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

const A = DEMO_IDS.employer; // "this employer"
const B = DEMO_IDS.otherEmployer; // "other employer"
const CAMPAIGN = DEMO_IDS.campaign;
const DAY = 86_400_000;

let t: TestSystem;
let employerA: string;
let employerB: string;
let marketer: string;
const candidateTokens = new Map<string, Promise<string>>();
/** Candidates a test has taken for itself (each test's candidates start with no consent record for what it checks). */
const taken = new Set<string>();

function candidateToken(sub: string): Promise<string> {
  let token = candidateTokens.get(sub);
  if (!token) candidateTokens.set(sub, (token = t.token({ role: 'candidate', sub })));
  return token;
}

async function gql(token: string, query: string, variables?: Record<string, unknown>, purpose?: string): Promise<GraphQLResponse> {
  return t.query(query, { token, variables, purpose });
}

// --- the candidate's mutations

const GRANT = `mutation Grant($purpose: ConsentPurpose!, $recipient: ID, $expiresAt: String) {
  grantConsent(purpose: $purpose, recipient: $recipient, expiresAt: $expiresAt) { purpose recipientId granted state }
}`;
const WITHDRAW = `mutation Withdraw($purpose: ConsentPurpose!, $recipient: ID) {
  withdrawConsent(purpose: $purpose, recipient: $recipient) { purpose recipientId granted state }
}`;
const MINE = `{ me { consents { purpose recipientId granted } consentHistory { action purpose recipientId } } }`;

type Outcome = 'ok' | 'refused';

async function change(sub: string, action: 'grant' | 'withdraw', variables: Record<string, unknown>): Promise<Outcome> {
  const res = await gql(await candidateToken(sub), action === 'grant' ? GRANT : WITHDRAW, variables);
  if (res.body.errors) {
    expect(res.body.errors.map((e) => e.extensions?.code), JSON.stringify(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.data).toBeNull();
    return 'refused';
  }
  expect(res.status).toBe(200);
  return 'ok';
}

async function mine(sub: string) {
  const res = await gql(await candidateToken(sub), MINE);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me as {
    consents: { purpose: string; recipientId: string | null; granted: boolean }[];
    consentHistory: { action: string; purpose: string; recipientId: string | null }[];
  };
}

// --- what the database says

async function ledgerCounts(subjectId?: string) {
  const where = subjectId ? eq(consentEvents.subjectId, subjectId) : undefined;
  const [events] = await t.db.db.select({ n: count() }).from(consentEvents).where(where);
  const [states] = await t.db.db.select({ n: count() }).from(consents).where(subjectId ? eq(consents.subjectId, subjectId) : undefined);
  return { events: events!.n, states: states!.n };
}

/** Active candidates with a CV and no consent record for any of `purposes` (so no application either: applying grants). */
async function freshCandidates(purposes: readonly ConsentPurpose[]): Promise<string[]> {
  const rows = await t.db.db
    .select({ id: candidates.id })
    .from(candidates)
    .innerJoin(resumes, eq(resumes.candidateId, candidates.id))
    .where(
      and(
        subjectHonoursConsentSql(candidates.id),
        sql`not exists (select 1 from privacy.consents c where c.subject_id = ${candidates.id} and c.purpose in (${sql.join(purposes.map((p) => sql`${p}`), sql`, `)}))`,
        sql`not exists (select 1 from employers.applications a where a.candidate_id = ${candidates.id})`,
      ),
    )
    // Candidates with records for other purposes first: those with none at all are kept for the tests that need a blank ledger.
    .orderBy(sql`(select count(*) from privacy.consent_events e where e.subject_id = ${candidates.id}) desc`, asc(candidates.id));
  return rows.map((r) => r.id).filter((id) => !taken.has(id));
}

// --- what callers see

const LIST = `query List($after: String, $filter: CandidateFilter, $first: Int) {
  candidates(first: $first, after: $after, filter: $filter) { nodes { id email resume { summary } } pageInfo { hasNextPage endCursor } }
}`;

/** Every page of an employer's candidate search, as the raw response bodies. */
async function traverse(token: string, first: number, filter?: Record<string, unknown>): Promise<GraphQLResponse['body'][]> {
  const pages: GraphQLResponse['body'][] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const res = await gql(token, LIST, { after, filter, first });
    expect(res.status).toBe(200);
    pages.push(res.body);
    const info = res.body.data?.candidates?.pageInfo;
    if (!info?.hasNextPage) return pages;
    after = info.endCursor;
  }
  throw new Error('too many pages');
}

function nodesOf(pages: GraphQLResponse['body'][]): { id: string; email: string | null; resume: { summary: string | null } | null }[] {
  return pages.flatMap((p) => p.data!.candidates.nodes);
}

async function audience(purpose: 'MARKETING' | 'SURVEY' | 'ADVERTISING'): Promise<Map<string, Record<string, unknown>>> {
  const fields = purpose === 'MARKETING' ? 'id email' : 'id desiredIndustries';
  const out = new Map<string, Record<string, unknown>>();
  let after: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const res = await gql(
      marketer,
      `query($c: ID!, $after: String) { campaignAudience(campaignId: $c, first: 100, after: $after) { nodes { ${fields} } pageInfo { hasNextPage endCursor } } }`,
      { c: CAMPAIGN, after },
      purpose,
    );
    expect(res.body.errors).toBeUndefined();
    for (const node of res.body.data!.campaignAudience.nodes) out.set(node.id, node);
    if (!res.body.data!.campaignAudience.pageInfo.hasNextPage) return out;
    after = res.body.data!.campaignAudience.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

const EMPLOYER_VIEW = `query One($id: ID!) { candidate(id: $id) { id email resume { summary } } }`;
const MARKETER_VIEW = {
  MARKETING: `query One($id: ID!) { candidate(id: $id) { id email } }`,
  SURVEY: `query One($id: ID!) { candidate(id: $id) { id desiredIndustries } }`,
  ADVERTISING: `query One($id: ID!) { candidate(id: $id) { id desiredIndustries } }`,
} as const;

/** The body every caller gets for a candidate it may not see: exactly the body for an id that never existed. */
async function absentBody(token: string, query: string, purpose?: string): Promise<GraphQLResponse> {
  return gql(token, query, { id: crypto.randomUUID() }, purpose);
}

beforeAll(async () => {
  t = await startTestSystem();
  employerA = await t.token({ role: 'employer', org: A });
  employerB = await t.token({ role: 'employer', org: B });
  marketer = await t.token({ role: 'marketer' });

  // The 100-candidate page below needs at least 100 candidates who consent to A: top up from candidates that already
  // have an EMPLOYER_DISCLOSURE record (never from the fresh pools the other tests draw from).
  const visibleToA = and(subjectHonoursConsentSql(candidates.id), hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', A)) as SQL;
  const [{ n: consenting } = { n: 0 }] = await t.db.db.select({ n: count() }).from(candidates).where(visibleToA);
  if (consenting < 110) {
    const extra = await t.db.db
      .select({ id: candidates.id })
      .from(candidates)
      .where(
        and(
          subjectHonoursConsentSql(candidates.id),
          sql`not (${hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', A)})`,
          sql`exists (select 1 from privacy.consents c where c.subject_id = ${candidates.id} and c.purpose = 'EMPLOYER_DISCLOSURE' and c.recipient_id is not null)`,
          sql`not exists (select 1 from privacy.consents c where c.subject_id = ${candidates.id} and c.purpose = 'EMPLOYER_DISCLOSURE' and c.recipient_id = ${A}::uuid)`,
        ),
      )
      .orderBy(asc(candidates.id))
      .limit(110 - consenting);
    for (const { id } of extra) {
      await recordConsent(t.db.db, { subjectId: id, purpose: 'EMPLOYER_DISCLOSURE', recipientId: A, action: 'GRANT', source: 'PRIVACY_CENTER', actor: id });
    }
  }
  const [{ n: after } = { n: 0 }] = await t.db.db.select({ n: count() }).from(candidates).where(visibleToA);
  expect(after).toBeGreaterThanOrEqual(100);
});

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// The consent matrix
// ---------------------------------------------------------------------------------------------------------------

/** THIS = employer A, OTHER = employer B; ALL and NONE both pass `recipient: null` (every employer / a purpose without recipients). */
type Recipient = 'THIS' | 'ALL' | 'OTHER' | 'NONE';
/**
 * GRANTED: grant(P, R). WITHDRAWN: grant(P, R) then withdraw(P, R).
 * EXPIRED: grant(P, R) with a past expiry (always refused), then the same grant recorded in the ledger with an expiry
 *   that has passed (only where R is valid for P).
 * WITHDRAWN_FOR_THIS_UNDER_ALL: grant(P, null), grant(P, R) unless R is null, then withdraw(P, A).
 */
type State = 'GRANTED' | 'WITHDRAWN' | 'EXPIRED' | 'WITHDRAWN_FOR_THIS_UNDER_ALL';

interface Row {
  purpose: ConsentPurpose;
  recipient: Recipient;
  state: State;
  /** Some step of the sequence was refused with BAD_USER_INPUT (and recorded nothing). */
  refused: boolean;
  /** Employer A sees the candidate: in `candidates`, via `candidate(id)`, with `email` and `resume.summary`. */
  employerA: boolean;
  employerB: boolean;
  /** The marketer under the row's purpose (MARKETING for EMPLOYER_DISCLOSURE rows) sees the candidate (audience, `candidate(id)`, gated field). */
  marketer: boolean;
  /** `me.consents` for the purpose: [recipient (A, B or null), granted]. */
  consents: [('A' | 'B' | null), boolean][];
}

const row = (purpose: ConsentPurpose, recipient: Recipient, state: State, refused: boolean, employerA: boolean, employerB: boolean, marketer: boolean, consents: Row['consents']): Row =>
  ({ purpose, recipient, state, refused, employerA, employerB, marketer, consents });

const MATRIX: Row[] = [
  //  purpose                recipient state                           refused  A      B      mkt    me.consents
  row('EMPLOYER_DISCLOSURE', 'THIS', 'GRANTED',                      false, true,  false, false, [['A', true]]),
  row('EMPLOYER_DISCLOSURE', 'THIS', 'WITHDRAWN',                    false, false, false, false, [['A', false]]),
  row('EMPLOYER_DISCLOSURE', 'THIS', 'EXPIRED',                      true,  false, false, false, [['A', false]]),
  row('EMPLOYER_DISCLOSURE', 'THIS', 'WITHDRAWN_FOR_THIS_UNDER_ALL', false, false, true,  false, [[null, true], ['A', false]]),
  row('EMPLOYER_DISCLOSURE', 'ALL', 'GRANTED',                       false, true,  true,  false, [[null, true]]),
  row('EMPLOYER_DISCLOSURE', 'ALL', 'WITHDRAWN',                     false, false, false, false, [[null, false]]),
  row('EMPLOYER_DISCLOSURE', 'ALL', 'EXPIRED',                       true,  false, false, false, [[null, false]]),
  row('EMPLOYER_DISCLOSURE', 'ALL', 'WITHDRAWN_FOR_THIS_UNDER_ALL',  false, false, true,  false, [[null, true], ['A', false]]),
  row('EMPLOYER_DISCLOSURE', 'OTHER', 'GRANTED',                     false, false, true,  false, [['B', true]]),
  row('EMPLOYER_DISCLOSURE', 'OTHER', 'WITHDRAWN',                   false, false, false, false, [['B', false]]),
  row('EMPLOYER_DISCLOSURE', 'OTHER', 'EXPIRED',                     true,  false, false, false, [['B', false]]),
  row('EMPLOYER_DISCLOSURE', 'OTHER', 'WITHDRAWN_FOR_THIS_UNDER_ALL', false, false, true, false, [[null, true], ['A', false], ['B', true]]),
  // MARKETING, SURVEY and ADVERTISING take no recipient: naming one is refused and changes nothing, and no
  // consent to them ever opens a candidate to an employer.
  ...(['MARKETING', 'SURVEY', 'ADVERTISING'] as const).flatMap((p) => [
    row(p, 'NONE', 'GRANTED',                       false, false, false, true,  [[null, true]]),
    row(p, 'NONE', 'WITHDRAWN',                     false, false, false, false, [[null, false]]),
    row(p, 'NONE', 'EXPIRED',                       true,  false, false, false, [[null, false]]),
    row(p, 'NONE', 'WITHDRAWN_FOR_THIS_UNDER_ALL',  true,  false, false, true,  [[null, true]]),
    row(p, 'THIS', 'GRANTED',                       true,  false, false, false, []),
    row(p, 'THIS', 'WITHDRAWN',                     true,  false, false, false, []),
    row(p, 'THIS', 'EXPIRED',                       true,  false, false, false, []),
    row(p, 'THIS', 'WITHDRAWN_FOR_THIS_UNDER_ALL',  true,  false, false, true,  [[null, true]]),
    row(p, 'OTHER', 'GRANTED',                      true,  false, false, false, []),
    row(p, 'OTHER', 'WITHDRAWN',                    true,  false, false, false, []),
    row(p, 'OTHER', 'EXPIRED',                      true,  false, false, false, []),
    row(p, 'OTHER', 'WITHDRAWN_FOR_THIS_UNDER_ALL', true,  false, false, true,  [[null, true]]),
  ]),
];

const name = (r: Row) => `${r.purpose} × ${r.recipient} × ${r.state}`;
const recipientArg = (r: Recipient) => ({ THIS: A, OTHER: B, ALL: null, NONE: null })[r];
const takesRecipient = (p: ConsentPurpose) => p === 'EMPLOYER_DISCLOSURE';

interface Applied {
  subject: string;
  outcomes: Outcome[];
  /** Ledger events the sequence should have appended. */
  written: number;
}

/** Brings a fresh candidate into the row's state through the real mutations (and the ledger, for an expired grant). */
async function applyRow(r: Row, subject: string): Promise<Applied> {
  const P = r.purpose;
  const R = recipientArg(r.recipient);
  const outcomes: Outcome[] = [];
  let written = 0;
  const step = async (action: 'grant' | 'withdraw', variables: Record<string, unknown>) => {
    const outcome = await change(subject, action, { purpose: P, ...variables });
    outcomes.push(outcome);
    if (outcome === 'ok') written++;
  };
  switch (r.state) {
    case 'GRANTED':
      await step('grant', { recipient: R });
      break;
    case 'WITHDRAWN':
      await step('grant', { recipient: R });
      await step('withdraw', { recipient: R });
      break;
    case 'EXPIRED': {
      await step('grant', { recipient: R, expiresAt: new Date(Date.now() - DAY).toISOString() });
      if (R === null || takesRecipient(P)) {
        const now = Date.now();
        await recordConsent(t.db.db, {
          subjectId: subject, purpose: P, recipientId: R, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subject,
          at: new Date(now - 30 * DAY), expiresAt: new Date(now - 60_000),
        });
        written++;
      }
      break;
    }
    case 'WITHDRAWN_FOR_THIS_UNDER_ALL':
      await step('grant', { recipient: null });
      if (R !== null) await step('grant', { recipient: R });
      await step('withdraw', { recipient: A });
      break;
  }
  return { subject, outcomes, written };
}

describe('consent matrix: purpose × recipient × state → who sees the candidate', () => {
  const applied = new Map<Row, Applied>();
  const seen = {
    A: new Map<string, ReturnType<typeof nodesOf>[number]>(),
    B: new Map<string, ReturnType<typeof nodesOf>[number]>(),
    MARKETING: new Map<string, Record<string, unknown>>(),
    SURVEY: new Map<string, Record<string, unknown>>(),
    ADVERTISING: new Map<string, Record<string, unknown>>(),
  };
  const ledgerBefore = new Map<string, number>();

  beforeAll(async () => {
    // One fresh candidate per row: no record for EMPLOYER_DISCLOSURE nor for the row's own purpose (nor MARKETING
    // for EMPLOYER_DISCLOSURE rows, whose marketer check is under MARKETING). The most constrained pools go first.
    const order = (['ADVERTISING', 'MARKETING', 'SURVEY', 'EMPLOYER_DISCLOSURE'] as const).flatMap((p) => MATRIX.filter((r) => r.purpose === p));
    for (const r of order) {
      const purposes: ConsentPurpose[] = r.purpose === 'EMPLOYER_DISCLOSURE' ? ['EMPLOYER_DISCLOSURE', 'MARKETING'] : ['EMPLOYER_DISCLOSURE', r.purpose];
      const [subject] = await freshCandidates(purposes);
      if (!subject) throw new Error(`no fresh candidate left for ${name(r)}`);
      taken.add(subject);
      applied.set(r, { subject, outcomes: [], written: 0 });
    }
    // Every matrix candidate is a recipient of the campaign, so the audience decides on consent alone.
    await t.db.db
      .insert(campaignRecipients)
      .values([...applied.values()].map(({ subject }) => ({ campaignId: CAMPAIGN, candidateId: subject, sentAt: null, openedAt: null })))
      .onConflictDoNothing();
    for (const r of MATRIX) {
      const subject = applied.get(r)!.subject;
      ledgerBefore.set(subject, (await ledgerCounts(subject)).events);
      applied.set(r, await applyRow(r, subject));
    }
    for (const node of nodesOf(await traverse(employerA, 100))) seen.A.set(node.id, node);
    for (const node of nodesOf(await traverse(employerB, 100))) seen.B.set(node.id, node);
    seen.MARKETING = await audience('MARKETING');
    seen.SURVEY = await audience('SURVEY');
    seen.ADVERTISING = await audience('ADVERTISING');
  });

  it('covers every purpose, recipient and state', () => {
    expect(MATRIX).toHaveLength(48);
    expect(new Set(MATRIX.map(name)).size).toBe(48);
    expect(new Set([...applied.values()].map((a) => a.subject)).size).toBe(48);
  });

  it.each(MATRIX.map((r) => [name(r), r] as const))('%s', async (_name, r) => {
    const { subject, outcomes, written } = applied.get(r)!;

    // Refused steps record nothing; accepted ones exactly one event each.
    expect(outcomes.includes('refused'), 'refused').toBe(r.refused);
    expect((await ledgerCounts(subject)).events - ledgerBefore.get(subject)!).toBe(written);

    // The candidate's own view.
    const label = (id: string | null) => (id === null ? null : id === A ? 'A' : id === B ? 'B' : id);
    const own = (await mine(subject)).consents.filter((c) => c.purpose === r.purpose).map((c) => [label(c.recipientId), c.granted]);
    expect(own, 'me.consents').toEqual(r.consents);

    // Employers: the search list, candidate(id) and the consent-gated fields.
    for (const [who, token, expected] of [['A', employerA, r.employerA], ['B', employerB, r.employerB]] as const) {
      const listed = seen[who].get(subject);
      expect(listed !== undefined, `${who} lists`).toBe(expected);
      const res = await gql(token, EMPLOYER_VIEW, { id: subject });
      expect(res.status).toBe(200);
      if (expected) {
        expect(res.body.errors, `${who} candidate(id)`).toBeUndefined();
        expect(res.body.data!.candidate).toEqual({ id: subject, email: expect.stringContaining('@'), resume: { summary: expect.any(String) } });
        expect(listed).toEqual(res.body.data!.candidate);
      } else {
        expect(res.body, `${who} candidate(id)`).toEqual((await absentBody(token, EMPLOYER_VIEW)).body);
      }
    }

    // The marketer under the purpose (MARKETING for EMPLOYER_DISCLOSURE rows).
    const purpose = r.purpose === 'EMPLOYER_DISCLOSURE' ? 'MARKETING' : r.purpose;
    const query = MARKETER_VIEW[purpose];
    const res = await gql(marketer, query, { id: subject }, purpose);
    if (r.marketer) {
      expect(res.body.errors, 'marketer candidate(id)').toBeUndefined();
      expect(res.body.data!.candidate.id).toBe(subject);
      if (purpose === 'MARKETING') expect(res.body.data!.candidate.email).toContain('@');
      else expect(res.body.data!.candidate.desiredIndustries).toEqual(expect.any(Array));
    } else {
      expect(res.body, 'marketer candidate(id)').toEqual((await absentBody(marketer, query, purpose)).body);
    }
    // The campaign audience exists for MARKETING and SURVEY only.
    const inAudience = seen[purpose].get(subject);
    expect(inAudience !== undefined, 'in the audience').toBe(r.marketer && purpose !== 'ADVERTISING');
    if (inAudience && purpose === 'MARKETING') expect(inAudience.email).toContain('@');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Existence leaks
// ---------------------------------------------------------------------------------------------------------------

describe('an employer cannot learn that a non-consenting candidate exists', () => {
  let x: string; // consents to A for a moment, then withdraws
  let never: string; // never consents to anything
  let xIndustry: string;

  beforeAll(async () => {
    // Candidates with no EMPLOYER_DISCLOSURE record (so no application) and a desired industry to filter on.
    const pool = [];
    for (const id of await freshCandidates(['EMPLOYER_DISCLOSURE'])) {
      const [c] = await t.db.db.select({ industries: candidates.desiredIndustries }).from(candidates).where(eq(candidates.id, id));
      if (c && c.industries.length > 0) pool.push({ id, industry: c.industries[0]! });
    }
    expect(pool.length).toBeGreaterThanOrEqual(2);
    x = pool[0]!.id;
    xIndustry = pool[0]!.industry;
    never = pool[1]!.id;
    taken.add(x).add(never);
  });

  it('from candidates: pages, page sizes, hasNextPage and cursors after a withdrawal are exactly as if it never consented', async () => {
    const filter = { industry: xIndustry };
    const visible = and(subjectHonoursConsentSql(candidates.id), hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', A), sql`${xIndustry} = any(${candidates.desiredIndustries})`);
    const [{ n } = { n: 0 }] = await t.db.db.select({ n: count() }).from(candidates).where(visible);
    expect(n).toBeGreaterThan(2);
    expect(n).toBeLessThan(100);
    // Where x would sort once it consents (newest first): choose page sizes that put it last on a page, first on a
    // page and just past the end of the only page.
    const [{ ahead } = { ahead: 0 }] = await t.db.db
      .select({ ahead: count() })
      .from(candidates)
      .where(and(visible, sql`(${candidates.createdAt}, ${candidates.id}) > (select c2.created_at, c2.id from users.candidates c2 where c2.id = ${x}::uuid)`));
    const sizes = [...new Set([ahead + 1, Math.max(1, ahead), n, 3])];

    const snapshot = async () => {
      const out: Record<string, GraphQLResponse['body'][]> = {};
      for (const size of sizes) out[size] = await traverse(employerA, size, filter);
      out.unfiltered = await traverse(employerA, 100);
      return out;
    };
    const before = await snapshot();
    expect(await change(x, 'grant', { purpose: 'EMPLOYER_DISCLOSURE', recipient: A })).toBe('ok');
    const during = await snapshot();
    expect(await change(x, 'withdraw', { purpose: 'EMPLOYER_DISCLOSURE', recipient: A })).toBe('ok');
    const after = await snapshot();

    // The consent really showed x (so the comparison below is not vacuous) …
    for (const size of sizes) expect(nodesOf(during[size]!).map((c) => c.id)).toContain(x);
    expect(during[n]![0]!.data!.candidates.pageInfo.hasNextPage).toBe(true);
    expect(before[n]![0]!.data!.candidates.pageInfo.hasNextPage).toBe(false);
    expect(during).not.toEqual(before);
    // … and after the withdrawal every byte of every page is what it was before x ever consented.
    expect(after).toEqual(before);
    for (const pages of Object.values(after)) expect(nodesOf(pages).map((c) => c.id)).not.toContain(x);
  });

  it('from candidate(id) and node(id): the same body as for an unknown id and for a malformed one', async () => {
    const queries = [
      EMPLOYER_VIEW,
      `query One($id: ID!) { candidate(id: $id) { id fullName applications { id } } }`,
      `query One($id: ID!) { node(id: $id) { id ... on Candidate { email resume { summary } } } }`,
      `query One($id: ID!) { node(id: $id) { __typename } }`,
    ];
    const withdrawn = x; // consented earlier in this file, then withdrew
    for (const query of queries) {
      const bodies = await Promise.all(
        [withdrawn, never, crypto.randomUUID(), 'not-a-uuid', `${never}0`, never.toUpperCase()].map(async (id) => {
          const res = await gql(employerA, query, { id });
          expect(res.status).toBe(200);
          return res.body;
        }),
      );
      expect(bodies[0]!.data).toEqual({ [query.includes('node(') ? 'node' : 'candidate']: null });
      for (const body of bodies) expect(body).toEqual(bodies[0]);
    }
  });

  it("from the applications of another employer's job: the same as a job without applications", async () => {
    // A job of another employer with an application from a candidate who does not consent to A, and one without any.
    const notToA = sql`not (${hasConsentSql(applications.candidateId, 'EMPLOYER_DISCLOSURE', A)})`;
    const [withApplicant] = await t.db.db
      .select({ jobId: jobs.id, applicationId: applications.id, candidateId: applications.candidateId })
      .from(applications)
      .innerJoin(jobs, eq(jobs.id, applications.jobId))
      .where(and(eq(jobs.employerId, B), notToA))
      .orderBy(asc(applications.id))
      .limit(1);
    const [empty] = await t.db.db
      .select({ jobId: jobs.id })
      .from(jobs)
      .where(and(sql`${jobs.employerId} <> ${A}::uuid`, sql`not exists (select 1 from employers.applications a where a.job_id = ${jobs.id})`))
      .orderBy(asc(jobs.id))
      .limit(1);
    expect(withApplicant).toBeDefined();
    expect(empty).toBeDefined();

    const query = `query Apps($job: ID!) { job(id: $job) { applications(first: 100) {
      nodes { id candidateId status coverLetter candidate { id email } } pageInfo { hasNextPage endCursor } } } }`;
    const seenWith = await gql(employerA, query, { job: withApplicant!.jobId });
    const seenEmpty = await gql(employerA, query, { job: empty!.jobId });
    expect(seenWith.body.errors).toBeUndefined();
    expect(seenWith.body).toEqual(seenEmpty.body);
    expect(seenWith.body.data!.job.applications).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    // B itself does see that application (so the comparison is not vacuous).
    const own = await gql(employerB, query, { job: withApplicant!.jobId });
    expect(own.body.data!.job.applications.nodes.map((a: { id: string }) => a.id)).toContain(withApplicant!.applicationId);

    // The application as an entity: moving it through the workflow fails exactly like an unknown or malformed id.
    const update = `mutation Move($id: ID!) { updateApplicationStatus(id: $id, status: SCREENING) { id candidate { id } } }`;
    const bodies = [];
    for (const id of [withApplicant!.applicationId, crypto.randomUUID(), 'garbage']) bodies.push((await gql(employerA, update, { id })).body);
    expect(bodies[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it("from a consenting candidate's applications: only those to A's own jobs", async () => {
    // A candidate who consents to A and applied elsewhere too.
    const [both] = await t.db.db
      .select({ candidateId: applications.candidateId })
      .from(applications)
      .innerJoin(jobs, eq(jobs.id, applications.jobId))
      .innerJoin(candidates, eq(candidates.id, applications.candidateId))
      .where(and(subjectHonoursConsentSql(candidates.id), sql`${jobs.employerId} <> ${A}::uuid`, hasConsentSql(applications.candidateId, 'EMPLOYER_DISCLOSURE', A)))
      .orderBy(asc(applications.candidateId))
      .limit(1);
    expect(both).toBeDefined();
    const res = await gql(employerA, `query($id: ID!) { candidate(id: $id) { id applications { id job { employer { id } } } } }`, { id: both!.candidateId });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.candidate.id).toBe(both!.candidateId);
    for (const application of res.body.data!.candidate.applications) expect(application.job.employer.id).toBe(A);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The gateway's consent check
// ---------------------------------------------------------------------------------------------------------------

/** The gateway's batched lookup (gateway/consent.ts): `… from "privacy"."consents" where "privacy"."consents"."subject_id" = any($1::uuid[])`. */
const GATEWAY_CONSENT_LOOKUP = /from "privacy"\."consents" where "privacy"\."consents"\."subject_id" = any\(\$\d+::uuid\[\]\)/i;
/** The subgraphs' row filter (hasConsentSql): `exists (select 1 from privacy.consents c where c.subject_id = …)`. */
const SUBGRAPH_ROW_FILTER = /from privacy\.consents c where c\.subject_id =/i;
/** The users subgraph reading candidates by id (its entity resolver's batch), with or without the parts it joins. */
const USERS_CANDIDATES_BY_ID = /from "users"\."candidates"(?: left join .*?)? where "users"\."candidates"\."id" = any\(/i;

describe('the gateway consent check', () => {
  it('a 100-candidate page with consent-gated fields costs exactly one consent query at the gateway', async () => {
    const statements: string[] = [];
    const parameters = new Map<string, readonly unknown[]>();
    const stop = t.db.onQuery((s, params) => {
      statements.push(s);
      if (GATEWAY_CONSENT_LOOKUP.test(s)) parameters.set(s, params);
    });
    let res: GraphQLResponse;
    try {
      res = await gql(employerA, `{ candidates(first: 100) { nodes { id email phone fullName resume { summary skills } address { prefecture } } pageInfo { hasNextPage } } }`);
    } finally {
      stop();
    }
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.candidates.nodes as { id: string; email: string | null; resume: { summary: string } | null }[];
    expect(nodes).toHaveLength(100);
    for (const node of nodes) expect(node.email).toContain('@');

    const gateway = statements.filter((s) => GATEWAY_CONSENT_LOOKUP.test(s));
    expect(gateway).toHaveLength(1);
    // It asks for the 100 subjects of the page at once, as one array parameter.
    const subjects = (parameters.get(gateway[0]!) as unknown[]).find((p): p is string => typeof p === 'string' && /^\{[0-9a-f-]{36}/.test(p))!;
    expect(new Set(subjects.replace(/[{}]/g, '').split(','))).toEqual(new Set(nodes.map((n) => n.id)));
    // The subgraph's row filter also reads privacy.consents, as a correlated subquery; it is told apart by its text.
    expect(statements.some((s) => SUBGRAPH_ROW_FILTER.test(s))).toBe(true);
    expect(statements.filter((s) => SUBGRAPH_ROW_FILTER.test(s) && GATEWAY_CONSENT_LOOKUP.test(s))).toEqual([]);
    // No other statement reads the consent table by subject list.
    expect(statements.filter((s) => /"privacy"\."consents"/.test(s) && !GATEWAY_CONSENT_LOOKUP.test(s))).toEqual([]);
    // The search is the users subgraph's own root field: one subgraph fetch returns the page, and the gateway asks for
    // the consent of its subjects once the page is known (there is no entity fetch to ask beside).
    const usersRead = statements.findIndex((s) => USERS_CANDIDATES_BY_ID.test(s));
    expect(usersRead).toBeGreaterThan(-1);
    expect(statements.indexOf(gateway[0]!)).toBeGreaterThan(usersRead);
  });

  it('an entity fetch of candidates (an employer reading its applicants) asks for their consent beside the fetch', async () => {
    const statements: string[] = [];
    const stop = t.db.onQuery((s) => statements.push(s));
    let res: GraphQLResponse;
    try {
      res = await gql(employerA, `query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidate { id fullName email } } } } }`, { job: DEMO_IDS.job });
    } finally {
      stop();
    }
    expect(res.body.data?.job?.applications.nodes.length).toBeGreaterThan(0);
    const gateway = statements.filter((s) => GATEWAY_CONSENT_LOOKUP.test(s));
    expect(gateway).toHaveLength(1);
    // Asked from the users fetch's representations: before the users subgraph reads the candidates.
    const usersRead = statements.findIndex((s) => USERS_CANDIDATES_BY_ID.test(s));
    expect(usersRead).toBeGreaterThan(-1);
    expect(statements.indexOf(gateway[0]!)).toBeLessThan(usersRead);
  });

  it('the same page with no personal field needs no consent lookup at all', async () => {
    const statements: string[] = [];
    const parameters = new Map<string, readonly unknown[]>();
    const stop = t.db.onQuery((s, params) => {
      statements.push(s);
      if (GATEWAY_CONSENT_LOOKUP.test(s)) parameters.set(s, params);
    });
    try {
      const res = await gql(employerA, `{ candidates(first: 100) { nodes { id } } }`);
      expect(res.body.data!.candidates.nodes).toHaveLength(100);
    } finally {
      stop();
    }
    expect(statements.filter((s) => GATEWAY_CONSENT_LOOKUP.test(s))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The candidate's side
// ---------------------------------------------------------------------------------------------------------------

describe('the candidate', () => {
  let subject: string;

  beforeAll(async () => {
    const fresh = await freshCandidates(['EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY', 'ADVERTISING']);
    for (const id of fresh) {
      if ((await ledgerCounts(id)).events === 0) {
        subject = id;
        taken.add(id);
        break;
      }
    }
    expect(subject).toBeDefined();
  });

  it('sees every mutation reflected in me.consents and, in order, in me.consentHistory', async () => {
    const future = new Date(Date.now() + 90 * DAY).toISOString();
    const steps: [string, 'grant' | 'withdraw', Record<string, unknown>, [string, string | null, boolean][]][] = [
      ['grant to A', 'grant', { purpose: 'EMPLOYER_DISCLOSURE', recipient: A }, [['EMPLOYER_DISCLOSURE', A, true]]],
      ['grant to every employer', 'grant', { purpose: 'EMPLOYER_DISCLOSURE' }, [['EMPLOYER_DISCLOSURE', null, true], ['EMPLOYER_DISCLOSURE', A, true]]],
      ['withdraw from B only', 'withdraw', { purpose: 'EMPLOYER_DISCLOSURE', recipient: B },
        [['EMPLOYER_DISCLOSURE', null, true], ['EMPLOYER_DISCLOSURE', A, true], ['EMPLOYER_DISCLOSURE', B, false]]],
      ['grant MARKETING until later', 'grant', { purpose: 'MARKETING', expiresAt: future },
        [['EMPLOYER_DISCLOSURE', null, true], ['EMPLOYER_DISCLOSURE', A, true], ['EMPLOYER_DISCLOSURE', B, false], ['MARKETING', null, true]]],
      ['grant SURVEY', 'grant', { purpose: 'SURVEY' },
        [['EMPLOYER_DISCLOSURE', null, true], ['EMPLOYER_DISCLOSURE', A, true], ['EMPLOYER_DISCLOSURE', B, false], ['MARKETING', null, true], ['SURVEY', null, true]]],
      ['withdraw MARKETING', 'withdraw', { purpose: 'MARKETING' },
        [['EMPLOYER_DISCLOSURE', null, true], ['EMPLOYER_DISCLOSURE', A, true], ['EMPLOYER_DISCLOSURE', B, false], ['MARKETING', null, false], ['SURVEY', null, true]]],
      ['withdraw EMPLOYER_DISCLOSURE everywhere', 'withdraw', { purpose: 'EMPLOYER_DISCLOSURE' },
        [['EMPLOYER_DISCLOSURE', null, false], ['EMPLOYER_DISCLOSURE', A, false], ['EMPLOYER_DISCLOSURE', B, false], ['MARKETING', null, false], ['SURVEY', null, true]]],
      ['grant ADVERTISING', 'grant', { purpose: 'ADVERTISING' },
        [['ADVERTISING', null, true], ['EMPLOYER_DISCLOSURE', null, false], ['EMPLOYER_DISCLOSURE', A, false], ['EMPLOYER_DISCLOSURE', B, false], ['MARKETING', null, false], ['SURVEY', null, true]]],
    ];
    const history: { action: string; purpose: string; recipientId: string | null }[] = [];
    for (const [label, action, variables, expected] of steps) {
      expect(await change(subject, action, variables), label).toBe('ok');
      history.push({ action: action === 'grant' ? 'GRANT' : 'WITHDRAW', purpose: variables.purpose as string, recipientId: (variables.recipient as string | undefined) ?? null });
      const now = await mine(subject);
      expect(now.consents.map((c) => [c.purpose, c.recipientId, c.granted]), label).toEqual(expected);
      expect(now.consentHistory, label).toEqual(history);
      // The employer view follows at once.
      const visible = await gql(employerA, EMPLOYER_VIEW, { id: subject });
      const toA = expected.some(([p, r, g]) => p === 'EMPLOYER_DISCLOSURE' && g && (r === A || r === null)) &&
        !expected.some(([p, r, g]) => p === 'EMPLOYER_DISCLOSURE' && r === A && !g);
      expect(visible.body.data!.candidate?.id ?? null, label).toBe(toA ? subject : null);
    }
  });

  it('bad input is refused with BAD_USER_INPUT and writes nothing; other roles are FORBIDDEN', async () => {
    const before = await ledgerCounts();
    const history = (await mine(subject)).consentHistory;
    const bad: [string, Record<string, unknown>][] = [
      [GRANT, { purpose: 'MARKETING', recipient: A }],
      [WITHDRAW, { purpose: 'SURVEY', recipient: B }],
      [GRANT, { purpose: 'ADVERTISING', recipient: crypto.randomUUID() }],
      [GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: crypto.randomUUID() }],
      [WITHDRAW, { purpose: 'EMPLOYER_DISCLOSURE', recipient: crypto.randomUUID() }],
      [GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: 'employer-a' }],
      [GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: subject }],
      [GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: A, expiresAt: new Date(Date.now() - 1000).toISOString() }],
      [GRANT, { purpose: 'MARKETING', expiresAt: '2020-04-01T00:00:00+09:00' }],
      [GRANT, { purpose: 'MARKETING', expiresAt: 'soon' }],
      [GRANT, { purpose: 'MARKETING', expiresAt: '2099-02-29T00:00:00Z' }],
    ];
    const token = await candidateToken(subject);
    for (const [mutation, variables] of bad) {
      const res = await gql(token, mutation, variables);
      expect(res.body.data, JSON.stringify(variables)).toBeNull();
      expect(res.body.errors?.map((e) => e.extensions?.code), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message).toMatch(/recipient|expiresAt/);
    }
    // A purpose that needs no consent does not even validate.
    const invalid = await gql(token, GRANT, { purpose: 'ANALYTICS' });
    expect(invalid.body.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    // Nobody but the candidate changes their consent here.
    for (const other of [employerA, marketer, await t.token({ role: 'support' })]) {
      const res = await gql(other, GRANT, { purpose: 'SURVEY' }, other === marketer ? 'MARKETING' : other === employerA ? undefined : 'SUPPORT');
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await ledgerCounts()).toEqual(before);
    expect((await mine(subject)).consentHistory).toEqual(history);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The ledger (last: it checks every change the tests above made)
// ---------------------------------------------------------------------------------------------------------------

async function refusal(statement: SQL): Promise<string> {
  try {
    await t.db.db.execute(statement);
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e && messages.length < 5; e = (e as { cause?: unknown }).cause) messages.push(String((e as Error).message ?? e));
    return messages.join(' | ');
  }
  return 'accepted';
}

describe('the consent ledger', () => {
  const fingerprint = async () => {
    const [row] = await t.db.db
      .select({ n: count(), digest: sql<string>`md5(coalesce(string_agg(${consentEvents.id}::text || ${consentEvents.action}::text || ${consentEvents.actor} || ${consentEvents.subjectId}::text, ',' order by ${consentEvents.id}), ''))` })
      .from(consentEvents);
    return row;
  };

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const before = await fingerprint();
    expect(before!.n).toBeGreaterThan(0);
    expect(await refusal(sql`update privacy.consent_events set action = 'GRANT', actor = 'someone else'`)).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(sql`update privacy.consent_events set expires_at = now() where id = (select max(id) from privacy.consent_events)`)).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(sql`delete from privacy.consent_events`)).toMatch(/append-only: DELETE refused/);
    expect(await refusal(sql`delete from privacy.consent_events where id = (select min(id) from privacy.consent_events)`)).toMatch(/append-only: DELETE refused/);
    expect(await refusal(sql`truncate privacy.consent_events`)).toMatch(/append-only: TRUNCATE refused/);
    expect(await fingerprint()).toEqual(before);
  });

  it('concurrent changes of one subject (privacy center and ledger writers at once) leave the state of its last event', async () => {
    const subjects = (await freshCandidates(['EMPLOYER_DISCLOSURE'])).slice(0, 10);
    expect(subjects).toHaveLength(10);
    for (const subject of subjects) taken.add(subject);
    await Promise.all(
      subjects.map(async (subject) => {
        const token = await candidateToken(subject);
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            i % 4 < 2
              ? gql(token, i % 2 === 0 ? GRANT : WITHDRAW, { purpose: 'EMPLOYER_DISCLOSURE', recipient: A })
              : recordConsent(t.db.db, {
                  subjectId: subject, purpose: 'EMPLOYER_DISCLOSURE', recipientId: A, action: i % 2 === 0 ? 'GRANT' : 'WITHDRAW',
                  source: 'JOB_APPLICATION', actor: subject,
                }),
          ),
        );
      }),
    );
    for (const subject of subjects) {
      const events = await t.db.db
        .select()
        .from(consentEvents)
        .where(and(eq(consentEvents.subjectId, subject), eq(consentEvents.purpose, 'EMPLOYER_DISCLOSURE')))
        .orderBy(asc(consentEvents.id));
      const [state] = await t.db.db
        .select()
        .from(consents)
        .where(and(eq(consents.subjectId, subject), eq(consents.purpose, 'EMPLOYER_DISCLOSURE')));
      expect(events).toHaveLength(8);
      const last = events.at(-1)!;
      expect(state, subject).toMatchObject({ lastEventId: last.id, state: last.action === 'GRANT' ? 'GRANTED' : 'WITHDRAWN' });
      // And what an employer sees follows the last event.
      const seen = await gql(employerA, EMPLOYER_VIEW, { id: subject });
      expect(seen.body.data!.candidate?.id ?? null, subject).toBe(last.action === 'GRANT' ? subject : null);
    }
  });

  it('the current state of every (subject, purpose, recipient) is what replaying the ledger gives', async () => {
    const events = await t.db.db.select().from(consentEvents).orderBy(asc(consentEvents.id));
    type State = { state: 'GRANTED' | 'WITHDRAWN'; lastEventId: number; expiresAt: string | null; policyVersion: string; source: string };
    const replay = new Map<string, State>();
    const key = (s: string, p: string, r: string | null) => `${s}|${p}|${r ?? ''}`;
    for (const e of events) {
      replay.set(key(e.subjectId, e.purpose, e.recipientId), {
        state: e.action === 'GRANT' ? 'GRANTED' : 'WITHDRAWN',
        lastEventId: e.id,
        expiresAt: e.action === 'GRANT' ? (e.expiresAt?.toISOString() ?? null) : null,
        policyVersion: e.policyVersion,
        source: e.source,
      });
      if (e.action === 'WITHDRAW' && e.recipientId === null) {
        // Withdrawing for every employer also ends each per-employer grant of the purpose.
        for (const [k, v] of replay) {
          if (k.startsWith(`${e.subjectId}|${e.purpose}|`) && !k.endsWith('|') && v.state === 'GRANTED') {
            replay.set(k, { ...v, state: 'WITHDRAWN', lastEventId: e.id, expiresAt: null });
          }
        }
      }
    }
    const rows = await t.db.db.select().from(consents);
    const current = new Map(
      rows.map((r) => [
        key(r.subjectId, r.purpose, r.recipientId),
        { state: r.state, lastEventId: r.lastEventId, expiresAt: r.expiresAt?.toISOString() ?? null, policyVersion: r.policyVersion, source: r.source },
      ]),
    );
    expect(current.size).toBe(replay.size);
    expect(Object.fromEntries(current)).toEqual(Object.fromEntries(replay));
    // Every state row points at an event of its own subject and purpose.
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const r of rows) expect(byId.get(r.lastEventId)).toMatchObject({ subjectId: r.subjectId, purpose: r.purpose });
  });
});
