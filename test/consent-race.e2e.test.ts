// Withdrawal races across replicas: two gateways (each with its own three subgraphs) on one database. A candidate
// withdraws through gateway A; employer queries through gateway B that start after A's response must disclose nothing.
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, resumes } from '../db/schema/users.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';
import { subjectHonoursConsentSql } from '../ledger/consent.ts';

const EMPLOYER = DEMO_IDS.employer;
const ITERATIONS = 200;
const PARALLEL_ROUNDS = 40;
const PARALLEL_WORKERS = 3;

let a: TestSystem; // the candidate's side
let b: TestSystem; // the employer's side: another replica of everything but the database
let subject: string;
let industry: string;
let candidateOnA: string;
let employerOnB: string;

const GRANT = `mutation { grantConsent(purpose: EMPLOYER_DISCLOSURE, recipient: "${EMPLOYER}") { granted } }`;
const WITHDRAW = `mutation { withdrawConsent(purpose: EMPLOYER_DISCLOSURE, recipient: "${EMPLOYER}") { granted } }`;
const BY_ID = `query ById($id: ID!) { candidate(id: $id) { id email phone resume { summary } } }`;
const LIST = `query List($industry: String) { candidates(first: 100, filter: { industry: $industry }) { nodes { id email resume { summary } } } }`;

async function mutate(query: string): Promise<boolean> {
  const res = await a.query(query, { token: candidateOnA });
  expect(res.body.errors).toBeUndefined();
  return res.body.data![query.startsWith('mutation { grant') ? 'grantConsent' : 'withdrawConsent'].granted;
}

/** What B's response discloses about the subject: nothing, or the consent-gated values it carried. */
function disclosed(kind: 'byId' | 'list', res: GraphQLResponse): unknown[] {
  expect(res.status).toBe(200);
  if (kind === 'byId') {
    const c = res.body.data?.candidate;
    return c ? [c.id, c.email, c.phone, c.resume?.summary].filter((v) => v !== null && v !== undefined) : [];
  }
  const nodes = (res.body.data?.candidates?.nodes ?? []) as { id: string; email: string | null; resume: { summary: string } | null }[];
  return nodes.filter((n) => n.id === subject).flatMap((n) => [n.id, n.email, n.resume?.summary].filter((v) => v !== null && v !== undefined));
}

async function queryB(kind: 'byId' | 'list'): Promise<GraphQLResponse> {
  return kind === 'byId'
    ? b.query(BY_ID, { token: employerOnB, variables: { id: subject } })
    : b.query(LIST, { token: employerOnB, variables: { industry } });
}

beforeAll(async () => {
  a = await startTestSystem();
  b = await startTestSystem({ db: a.db });
  expect(b.system.gateway.url).not.toBe(a.system.gateway.url);
  // A candidate with a CV, a desired industry and no EMPLOYER_DISCLOSURE record (so no application either).
  const [row] = await a.db.db
    .select({ id: candidates.id, industries: candidates.desiredIndustries })
    .from(candidates)
    .innerJoin(resumes, eq(resumes.candidateId, candidates.id))
    .where(
      and(
        subjectHonoursConsentSql(candidates.id),
        sql`cardinality(${candidates.desiredIndustries}) > 0`,
        sql`not exists (select 1 from privacy.consents c where c.subject_id = ${candidates.id} and c.purpose = 'EMPLOYER_DISCLOSURE')`,
        sql`not exists (select 1 from employers.applications x where x.candidate_id = ${candidates.id})`,
      ),
    )
    .orderBy(asc(candidates.id))
    .limit(1);
  expect(row).toBeDefined();
  subject = row!.id;
  industry = row!.industries[0]!;
  candidateOnA = await a.token({ role: 'candidate', sub: subject });
  employerOnB = await b.token({ role: 'employer', org: EMPLOYER });
}, 120_000);

afterAll(async () => {
  await b?.close(); // shares a's database: closes its servers only
  await a?.close();
});

describe('two gateway replicas on one database', () => {
  it(`${ITERATIONS} × grant on A, withdraw on A, then at once query B: zero disclosures after a withdrawal returned`, async () => {
    let shownAfterGrant = 0;
    let disclosuresAfterWithdraw = 0;
    const leaks: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const kind = i % 2 === 0 ? 'byId' : 'list';
      expect(await mutate(GRANT)).toBe(true);
      // The grant is effective on the other replica at once (so the check below is not vacuous).
      if (disclosed(kind, await queryB(kind)).length > 0) shownAfterGrant++;
      expect(await mutate(WITHDRAW)).toBe(false);
      const after = disclosed(kind, await queryB(kind));
      if (after.length > 0) {
        disclosuresAfterWithdraw++;
        leaks.push(`${i} ${kind}: ${JSON.stringify(after)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(disclosuresAfterWithdraw).toBe(0);
    expect(shownAfterGrant).toBe(ITERATIONS);
  }, 120_000);

  it(`B queried continuously while A withdraws (${PARALLEL_ROUNDS} rounds): every response that started after the withdrawal returned is empty`, async () => {
    let startedAfter = 0;
    let startedBefore = 0;
    let disclosedBefore = 0;
    const leaks: string[] = [];
    for (let round = 0; round < PARALLEL_ROUNDS; round++) {
      expect(await mutate(GRANT)).toBe(true);
      let withdrawnAt = Number.POSITIVE_INFINITY; // performance.now() when A's withdraw response was received
      let stopAt = Number.POSITIVE_INFINITY;
      const samples: { kind: 'byId' | 'list'; started: number; values: unknown[] }[] = [];
      // Each worker keeps querying until the round is over and at least two of its queries started after the withdrawal.
      const worker = async (w: number) => {
        let afterWithdrawal = 0;
        for (let n = 0; performance.now() < stopAt || afterWithdrawal < 2; n++) {
          const kind = (w + n) % 2 === 0 ? 'byId' : 'list';
          const started = performance.now();
          if (started > withdrawnAt) afterWithdrawal++;
          const res = await queryB(kind);
          samples.push({ kind, started, values: disclosed(kind, res) });
        }
      };
      const workers = Array.from({ length: PARALLEL_WORKERS }, (_, w) => worker(w));
      try {
        // Withdraw mid-stream: once B has shown the data at least once, after a little jitter.
        const deadline = performance.now() + 5_000;
        while (!samples.some((s) => s.values.length > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        expect(samples.some((s) => s.values.length > 0), `round ${round}: B saw the grant`).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, (round % 4) * 4));
        expect(await mutate(WITHDRAW)).toBe(false);
        withdrawnAt = performance.now();
      } finally {
        if (withdrawnAt === Number.POSITIVE_INFINITY) withdrawnAt = performance.now(); // a failed round still ends
        stopAt = withdrawnAt + 30;
        await Promise.all(workers);
      }

      for (const s of samples) {
        if (s.started > withdrawnAt) {
          startedAfter++;
          if (s.values.length > 0) leaks.push(`round ${round} ${s.kind} started ${(s.started - withdrawnAt).toFixed(2)} ms after: ${JSON.stringify(s.values)}`);
        } else {
          startedBefore++;
          if (s.values.length > 0) disclosedBefore++;
        }
      }
    }
    expect(leaks).toEqual([]);
    // Enough traffic on both sides of every withdrawal for the assertion above to mean something.
    expect(startedAfter).toBeGreaterThanOrEqual(PARALLEL_ROUNDS * PARALLEL_WORKERS * 2);
    expect(startedBefore).toBeGreaterThanOrEqual(PARALLEL_ROUNDS * PARALLEL_WORKERS);
    expect(disclosedBefore).toBeGreaterThanOrEqual(PARALLEL_ROUNDS);
  }, 120_000);
});
