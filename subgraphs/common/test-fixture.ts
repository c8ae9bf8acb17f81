/**
 * A small hand-written fixture for the subgraph tests (independent of the seed in db/seed/):
 * 60 candidates with addresses, CVs and residence cards, two employers, three jobs, a campaign,
 * a survey and a mix of consents recorded through the ledger.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createDatabase, type DatabaseHandle } from '../../db/client.ts';
import { applications, employers, jobs } from '../../db/schema/employers.ts';
import { adIdentifiers, campaignRecipients, campaigns, surveyResponses, surveys } from '../../db/schema/marketing.ts';
import { addresses, candidates, residenceCards, resumes, workHistory } from '../../db/schema/users.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import type { Purpose } from '../../directives/purposes.ts';
import type { Role } from '../../directives/roles.ts';
import { recordConsent, type ConsentChange } from '../../ledger/store.ts';
import { recordSubjectStanding, registerRecipients } from '../../ledger/subjects.ts';
import type { SubgraphDefinition } from './context.ts';

const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const CANDIDATE_COUNT = 60;
export const candidateId = (n: number) => id('c0000000', n);
export const EMPLOYER_A = id('e0000000', 1);
export const EMPLOYER_B = id('e0000000', 2);
export const JOB_A_OPEN = id('a0000000', 1);
export const JOB_A_CLOSED = id('a0000000', 2);
export const JOB_B_OPEN = id('a0000000', 3);
export const APPLICATION_0_A = id('b0000000', 1);
export const APPLICATION_1_B = id('b0000000', 2);
export const APPLICATION_3_A = id('b0000000', 3);
export const CAMPAIGN = id('ca000000', 1);
export const EMPTY_CAMPAIGN = id('ca000000', 2);
export const SURVEY = id('5a000000', 1);
export const UNKNOWN_ID = id('0f000000', 99);
export const SUSPENDED_CANDIDATE = 57;

const PREFECTURES = ['東京都', '大阪府', '福岡県'] as const;
const INDUSTRIES = ['IT', 'Retail', 'Manufacturing'] as const;
const SKILLS = ['TypeScript', 'Sales', 'CAD'] as const;
const base = Date.parse('2025-01-01T00:00:00.000Z');

/** Candidates consenting to EMPLOYER_DISCLOSURE for EMPLOYER_A: directly (n % 3 == 0) or for every employer (n % 5 == 1, except those withdrawn from A). */
export function consentsToEmployerA(n: number): boolean {
  if (n === SUSPENDED_CANDIDATE) return false;
  if (n % 3 === 0) return true;
  return n % 5 === 1 && n % 2 === 0;
}
export const marketingConsent = (n: number) => n % 2 === 0;
export const surveyConsent = (n: number) => n % 4 === 1;

export async function createFixtureDatabase(): Promise<DatabaseHandle> {
  const handle = await createDatabase({ kind: 'pglite' });
  await handle.migrate();
  const { db } = handle;

  await db.insert(employers).values([
    { id: EMPLOYER_A, name: 'Acme 株式会社', industry: 'IT', prefecture: '東京都', city: '千代田区', website: 'https://acme.example', employeeCount: 120 },
    { id: EMPLOYER_B, name: 'Beta 商事', industry: 'Retail', prefecture: '大阪府', city: '大阪市', website: null, employeeCount: 40 },
  ]);
  await db.insert(jobs).values([
    { id: JOB_A_OPEN, employerId: EMPLOYER_A, title: 'Backend engineer (TypeScript)', description: 'GraphQL APIs, 100% remote', category: 'Engineering', industry: 'IT', prefecture: '東京都', city: '千代田区', employmentType: 'FULL_TIME', salaryMin: 5_000_000, salaryMax: 8_000_000, status: 'OPEN', postedAt: new Date(base + 3_000) },
    { id: JOB_A_CLOSED, employerId: EMPLOYER_A, title: 'Sales lead', description: 'Closed posting', category: 'Sales', industry: 'IT', prefecture: '東京都', city: '港区', employmentType: 'CONTRACT', salaryMin: null, salaryMax: null, status: 'CLOSED', postedAt: new Date(base + 2_000) },
    { id: JOB_B_OPEN, employerId: EMPLOYER_B, title: 'Store manager', description: 'Retail store in Osaka', category: 'Retail', industry: 'Retail', prefecture: '大阪府', city: '大阪市', employmentType: 'PART_TIME', salaryMin: 2_500_000, salaryMax: 3_500_000, status: 'OPEN', postedAt: new Date(base + 1_000) },
  ]);

  const rows = Array.from({ length: CANDIDATE_COUNT }, (_, n) => n);
  await db.insert(candidates).values(
    rows.map((n) => ({
      id: candidateId(n),
      fullName: `候補者 ${n}`,
      fullNameKana: `コウホシャ ${n}`,
      email: `candidate${n}@example.jp`,
      phone: `090-0000-${n.toString().padStart(4, '0')}`,
      birthDate: `19${70 + (n % 30)}-0${1 + (n % 9)}-15`,
      desiredIndustries: [INDUSTRIES[n % 3]!],
      desiredPrefectures: n % 7 === 0 ? ['福岡県'] : [],
      // Pairs of candidates share a creation time so the (created_at, id) keyset tie-break is exercised.
      createdAt: new Date(base + Math.floor(n / 2) * 60_000 + 0.5),
    })),
  );
  // Each subgraph registers what it owns with the ledger: the candidates' standing, the employers as recipients.
  await recordSubjectStanding(db, rows.map((n) => ({ subjectId: candidateId(n), standing: n === SUSPENDED_CANDIDATE ? 'SUSPENDED' : 'ACTIVE' })));
  await registerRecipients(db, [EMPLOYER_A, EMPLOYER_B], 'EMPLOYER');
  await db.insert(addresses).values(
    rows.map((n) => ({ candidateId: candidateId(n), postalCode: `100-${n.toString().padStart(4, '0')}`, prefecture: PREFECTURES[n % 3]!, city: '千代田区', street: `${n}-1-1` })),
  );
  await db.insert(resumes).values(
    rows.map((n) => ({ candidateId: candidateId(n), summary: `Summary ${n}`, skills: [SKILLS[n % 3]!, 'Japanese'], updatedAt: new Date(base) })),
  );
  await db.insert(workHistory).values(
    rows.flatMap((n) => [
      { id: id('d0000000', n * 2), candidateId: candidateId(n), company: 'Old Co', title: 'Junior', startedOn: '2015-04-01', endedOn: '2018-03-31', description: null },
      { id: id('d0000000', n * 2 + 1), candidateId: candidateId(n), company: 'New Co', title: 'Senior', startedOn: '2018-04-01', endedOn: null, description: 'Current' },
    ]),
  );
  await db.insert(residenceCards).values(
    rows.filter((n) => n % 4 === 0).map((n) => ({ candidateId: candidateId(n), cardNumber: `AB${n.toString().padStart(8, '0')}CD`, nationality: 'VN', statusOfResidence: 'Engineer/Specialist in Humanities/International Services', expiresOn: '2027-12-31' })),
  );

  const changes: ConsentChange[] = [];
  const grant = (n: number, purpose: ConsentChange['purpose'], recipientId: string | null): ConsentChange => ({
    subjectId: candidateId(n), purpose, recipientId, action: 'GRANT', source: 'PRIVACY_CENTER', actor: candidateId(n), at: new Date(base),
  });
  for (const n of rows) {
    if (n % 3 === 0) changes.push(grant(n, 'EMPLOYER_DISCLOSURE', EMPLOYER_A));
    if (n % 5 === 1) changes.push(grant(n, 'EMPLOYER_DISCLOSURE', null));
    if (marketingConsent(n)) changes.push(grant(n, 'MARKETING', null));
    if (surveyConsent(n)) changes.push(grant(n, 'SURVEY', null));
    if (n % 10 === 0) changes.push(grant(n, 'ADVERTISING', null));
  }
  // Odd candidates with a grant to every employer withdrew it from EMPLOYER_A only.
  for (const n of rows) {
    if (n % 5 === 1 && n % 2 === 1 && n % 3 !== 0) {
      changes.push({ ...grant(n, 'EMPLOYER_DISCLOSURE', EMPLOYER_A), action: 'WITHDRAW', at: new Date(base + 1) });
    }
  }
  // Candidate 57 (suspended) consents, yet must never be listed; candidate 6 granted then withdrew everything.
  changes.push(grant(SUSPENDED_CANDIDATE, 'EMPLOYER_DISCLOSURE', EMPLOYER_A));
  changes.push({ ...grant(6, 'MARKETING', null), action: 'WITHDRAW', at: new Date(base + 2) });
  for (const change of changes) await recordConsent(db, change);

  await db.insert(applications).values([
    { id: APPLICATION_0_A, jobId: JOB_A_OPEN, candidateId: candidateId(0), coverLetter: 'よろしくお願いします', status: 'SUBMITTED', createdAt: new Date(base + 10_000), updatedAt: new Date(base + 10_000) },
    { id: APPLICATION_1_B, jobId: JOB_B_OPEN, candidateId: candidateId(1), coverLetter: null, status: 'SCREENING', createdAt: new Date(base + 11_000), updatedAt: new Date(base + 11_000) },
    { id: APPLICATION_3_A, jobId: JOB_A_OPEN, candidateId: candidateId(3), coverLetter: 'Hello', status: 'SUBMITTED', createdAt: new Date(base + 12_000), updatedAt: new Date(base + 12_000) },
  ]);

  await db.insert(campaigns).values([
    { id: CAMPAIGN, name: 'Spring IT fair', channel: 'EMAIL', status: 'SENT', targetIndustry: 'IT', targetPrefecture: null, startsAt: new Date(base + 100_000), endsAt: null },
    { id: EMPTY_CAMPAIGN, name: 'Draft', channel: 'POST', status: 'DRAFT', targetIndustry: null, targetPrefecture: '大阪府', startsAt: new Date(base + 50_000), endsAt: new Date(base + 500_000) },
  ]);
  await db.insert(campaignRecipients).values(
    rows.filter((n) => n < 40).map((n) => ({ campaignId: CAMPAIGN, candidateId: candidateId(n), sentAt: new Date(base + 100_000), openedAt: n % 3 === 0 ? new Date(base + 200_000) : null })),
  );
  await db.insert(surveys).values({ id: SURVEY, title: '転職意識調査', questions: ['Q1: 転職時期は?', 'Q2: 希望年収は?'], opensAt: new Date(base), closesAt: null });
  await db.insert(surveyResponses).values(
    rows.filter((n) => surveyConsent(n)).map((n) => ({ id: id('5b000000', n), surveyId: SURVEY, candidateId: candidateId(n), answers: { 'Q2: 希望年収は?': `${500 + n}万円`, 'Q1: 転職時期は?': '半年以内' }, submittedAt: new Date(base + 300_000) })),
  );
  await db.insert(adIdentifiers).values(
    rows.filter((n) => n % 10 === 0).map((n) => ({ id: id('ad000000', n), candidateId: candidateId(n), kind: 'COOKIE' as const, value: `cookie-${n}`, createdAt: new Date(base) })),
  );
  return handle;
}

export function caller(role: Role, overrides: Partial<BoundCaller> = {}): BoundCaller {
  const purpose: Purpose =
    overrides.purpose ??
    ({ candidate: 'SERVICE_PROVISION', employer: 'EMPLOYER_DISCLOSURE', marketer: 'MARKETING', analyst: 'ANALYTICS', support: 'SUPPORT', compliance: 'LEGAL_OBLIGATION' } as const)[role];
  return {
    sub: overrides.sub ?? `${role}-user`,
    role,
    org: overrides.org ?? null,
    purposes: overrides.purposes ?? [purpose],
    purpose,
    legalBasis: overrides.legalBasis ?? (role === 'compliance' ? 'court-order-1' : null),
  };
}

export type Run = (
  query: string,
  who: BoundCaller,
  variables?: Record<string, unknown>,
) => Promise<ExecutionResult<Record<string, any>>>;

/** Builds the subgraph schema and returns a runner that executes one operation as one request (fresh context). */
export function runner(definition: SubgraphDefinition, handle: DatabaseHandle): { schema: GraphQLSchema; run: Run } {
  const schema = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers }]);
  const run: Run = async (query, who, variables) =>
    (await execute({ schema, document: parse(query), variableValues: variables ?? {}, contextValue: { caller: who, db: handle.db } })) as ExecutionResult<Record<string, any>>;
  return { schema, run };
}

/** Counts the SQL statements `fn` issues. */
export async function countQueries(handle: DatabaseHandle, fn: () => Promise<unknown>): Promise<{ count: number; statements: string[] }> {
  const statements: string[] = [];
  const stop = handle.onQuery((s) => statements.push(s));
  try {
    await fn();
  } finally {
    stop();
  }
  return { count: statements.length, statements };
}
