// The role × purpose × field matrix through the real gateway: for every purpose each role may hold, every personal
// field of the core query (`me`, `candidate`, `candidates`, `campaignAudience`, `Candidate.applications`,
// `Job.applications`, `Candidate.marketingProfile`) is released raw, masked, or withheld exactly as SPEC says.
//
// SPEC is an independent, hand-written statement of the policy (DESIGN §1/§3 and the purpose-enforcement issue);
// it deliberately does not read the schema's @pii annotations or call decide(), so a policy change in the schema
// that nobody wrote down here makes this suite fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { applications as applicationsTable } from '../db/schema/employers.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import type { Purpose } from '../directives/purposes.ts';
import { ROLE_PURPOSES, type Role } from '../directives/roles.ts';
import { recordConsent } from '../ledger/store.ts';
import {
  JAPANESE_LEGAL_BASIS,
  CONSENT_PURPOSES,
  LEGAL_BASIS_PURPOSES,
  expectCleanErrors,
  expectedMask,
  fieldErrors,
  legalBasisHeader,
  loadConsentOracle,
  maskEntries,
  sortByPath,
  stringLeaves,
  type FieldError,
  type MaskEntry,
} from './privacy-helpers.ts';
import { startTestSystem, type TestSystem } from './system.ts';

// ---------------------------------------------------------------------------------------------------------------
// The specification
// ---------------------------------------------------------------------------------------------------------------

const SP = 'SERVICE_PROVISION';
const SU = 'SUPPORT';
const IV = 'IDENTITY_VERIFICATION';
const ED = 'EMPLOYER_DISCLOSURE';
const MK = 'MARKETING';
const SV = 'SURVEY';
const AD = 'ADVERTISING';
const FP = 'FRAUD_PREVENTION';
const BI = 'BILLING';
const LO = 'LEGAL_OBLIGATION';
const VI = 'VITAL_INTEREST';
const PH = 'PUBLIC_HEALTH';
const GC = 'GOVERNMENT_COOPERATION';

interface Rule {
  /** Purposes under which the raw value is released. */
  raw: readonly Purpose[];
  /** Purposes under which only the masked form is released. */
  masked?: { purposes: readonly Purpose[]; strategy: string };
}

/**
 * Coordinate → which purposes release it raw and which masked (+ strategy); every other purpose withholds it.
 * ANALYTICS appears nowhere: analysts get aggregates only, never a personal field.
 */
const SPEC: Record<string, Rule> = {
  // Names: everyone with a reason to address the person; surveys see an initial only.
  'Candidate.fullName': { raw: [SP, SU, IV, ED, MK, BI, FP, LO, VI, PH, GC], masked: { purposes: [SV], strategy: 'NAME_INITIAL' } },
  'Candidate.fullNameKana': { raw: [SP, SU, IV, ED, MK, BI, FP, LO, VI, PH, GC], masked: { purposes: [SV], strategy: 'NAME_INITIAL' } },
  // Contact: e-mail raw for marketing only among the marketing purposes; identity checks and fraud see it masked.
  'Candidate.email': { raw: [SP, SU, ED, MK, BI, LO, VI, PH], masked: { purposes: [IV, FP], strategy: 'EMAIL' } },
  'Candidate.phone': { raw: [SP, SU, ED, MK, LO, VI, PH], masked: { purposes: [IV, FP, BI], strategy: 'PHONE_LAST4' } },
  // Birth date: exact only to the candidate, identity checks and authorities; employers, support and marketing an age band.
  'Candidate.birthDate': { raw: [SP, IV, LO, GC], masked: { purposes: [ED, SU, MK, SV], strategy: 'AGE_BAND' } },
  // Address: employers and surveys see the prefecture only.
  'Candidate.address': { raw: [SP, SU, BI, IV, MK, LO, VI, PH, GC], masked: { purposes: [ED, SV], strategy: 'PREFECTURE_ONLY' } },
  'Address.prefecture': { raw: [SP, SU, BI, IV, MK, LO, VI, PH, GC, ED, SV] },
  'Address.postalCode': { raw: [SP, SU, BI, IV, MK, LO, VI, PH, GC] },
  'Address.city': { raw: [SP, SU, BI, IV, MK, LO, VI, PH, GC] },
  'Address.street': { raw: [SP, SU, BI, IV, MK, LO, VI, PH, GC] },
  // Residence card: the number only to the candidate, identity checks and authorities; support and fraud see its last 4;
  // employers see work eligibility (status, expiry) but neither number nor nationality.
  'Candidate.residenceCard': { raw: [SP, IV, SU, FP, ED, LO, GC] },
  'ResidenceCard.number': { raw: [SP, IV, LO, GC], masked: { purposes: [SU, FP], strategy: 'LAST4' } },
  'ResidenceCard.nationality': { raw: [SP, IV, SU, FP, LO, GC] },
  'ResidenceCard.statusOfResidence': { raw: [SP, IV, SU, FP, ED, LO, GC] },
  'ResidenceCard.expiresOn': { raw: [SP, IV, SU, FP, ED, LO, GC] },
  // CV and applications: the candidate, consented employers, support, legal obligation (applications also fraud checks).
  'Candidate.resume': { raw: [SP, ED, SU, LO] },
  'Resume.summary': { raw: [SP, ED, SU, LO] },
  'Resume.skills': { raw: [SP, ED, SU, LO] },
  'Resume.workHistory': { raw: [SP, ED, SU, LO] },
  'WorkHistoryEntry.company': { raw: [SP, ED, SU, LO] },
  'WorkHistoryEntry.title': { raw: [SP, ED, SU, LO] },
  'WorkHistoryEntry.startedOn': { raw: [SP, ED, SU, LO] },
  'WorkHistoryEntry.endedOn': { raw: [SP, ED, SU, LO] },
  'WorkHistoryEntry.description': { raw: [SP, ED, SU, LO] },
  'Candidate.applications': { raw: [SP, ED, SU, FP, LO] },
  'Application.coverLetter': { raw: [SP, ED, SU, LO] },
  // Who applied where is career data: the link to the person goes only where applications go.
  'Application.candidateId': { raw: [SP, ED, SU, FP, LO] },
  'Application.candidate': { raw: [SP, ED, SU, FP, LO] },
  // Preferences: matching and targeting (with consent), support.
  'Candidate.desiredIndustries': { raw: [SP, SU, ED, MK, SV, AD] },
  'Candidate.desiredPrefectures': { raw: [SP, SU, ED, MK, SV, AD] },
  // Marketing data: each part only to the purpose it was collected for; support sees ad ids pseudonymized.
  'Candidate.marketingProfile': { raw: [SP, MK, AD, SV, SU] },
  'MarketingProfile.adIdentifiers': { raw: [SP, AD, SU] },
  'AdIdentifier.value': { raw: [SP, AD], masked: { purposes: [SU], strategy: 'PSEUDONYM' } },
  'MarketingProfile.surveyResponses': { raw: [SP, SV] },
  'SurveyResponse.answers': { raw: [SP, SV] },
  'SurveyAnswer.answer': { raw: [SP, SV] },
  'MarketingProfile.campaignHistory': { raw: [SP, MK, SU] },
  'CampaignDelivery.openedAt': { raw: [SP, MK, SU] },
};

/** Keys, references and workflow state: released whenever their parent is. */
const NOT_PERSONAL = new Set([
  'Candidate.id',
  'Resume.updatedAt',
  'Application.id',
  'Application.status',
  'Application.job',
  'Job.id',
  'Job.employer',
  'Employer.id',
  'AdIdentifier.kind',
  'AdIdentifier.createdAt',
  'SurveyResponse.submittedAt',
  'SurveyResponse.survey',
  'Survey.id',
  'SurveyAnswer.question',
  'CampaignDelivery.sentAt',
  'CampaignDelivery.campaign',
  'Campaign.id',
]);

/** `@dataSubject`: the field naming the candidate a type's data is about; other types inherit their parent's subject. */
const SUBJECT_FIELD: Record<string, string> = { Candidate: 'id', Application: 'candidateId' };

/** What a caller reaches, independent of field policy (row rules, DESIGN §1 "Who uses it"). */
interface Reach {
  /** `me` returns the caller's own record (candidates only). */
  me: boolean;
  /** `candidate(id:)` lookups and whether each subject is visible to the caller. */
  lookups: readonly { id: string; visible: boolean }[];
  /** The employer search returns rows (employers: consented candidates; staff: everyone). */
  candidates: boolean;
  /** The campaign audience returns rows (marketing and survey: opted-in recipients). */
  audience: boolean;
  /** `Job.applications` of the demo job returns rows (its employer, staff). */
  jobApplications: boolean;
}

const STAFF: Reach = {
  me: false,
  lookups: [
    { id: DEMO_IDS.candidate, visible: true },
    { id: DEMO_IDS.noConsentCandidate, visible: true },
  ],
  candidates: true,
  audience: false,
  jobApplications: true,
};
const NOBODY_LISTS = { candidates: false, audience: false, jobApplications: false } as const;

interface Case {
  role: Role;
  purpose: Purpose;
  reach: Reach;
}

/** The matrix: every purpose every role may hold (checked against roles.ts below), with what the caller reaches. */
const CASES: Case[] = [
  {
    role: 'candidate',
    purpose: SP,
    reach: {
      me: true,
      lookups: [
        { id: DEMO_IDS.candidate, visible: true },
        { id: DEMO_IDS.openCandidate, visible: false },
      ],
      ...NOBODY_LISTS,
    },
  },
  {
    role: 'employer',
    purpose: ED,
    reach: {
      me: false,
      lookups: [
        { id: DEMO_IDS.candidate, visible: true }, // applied to the employer's job
        { id: DEMO_IDS.openCandidate, visible: true }, // consented to every employer
        { id: DEMO_IDS.withdrawnFromEmployerCandidate, visible: false }, // withdrew for this employer
        { id: DEMO_IDS.noConsentCandidate, visible: false },
      ],
      candidates: true,
      audience: false,
      jobApplications: true,
    },
  },
  ...([MK, SV] as const).map(
    (purpose): Case => ({
      role: 'marketer',
      purpose,
      reach: {
        me: false,
        lookups: [
          { id: DEMO_IDS.candidate, visible: true }, // opted in to MARKETING, SURVEY and ADVERTISING
          { id: DEMO_IDS.noConsentCandidate, visible: false },
        ],
        candidates: false,
        audience: true,
        jobApplications: false,
      },
    }),
  ),
  {
    role: 'marketer',
    purpose: AD,
    reach: {
      me: false,
      lookups: [
        { id: DEMO_IDS.candidate, visible: true },
        { id: DEMO_IDS.noConsentCandidate, visible: false },
      ],
      ...NOBODY_LISTS,
    },
  },
  { role: 'analyst', purpose: 'ANALYTICS', reach: { me: false, lookups: [{ id: DEMO_IDS.candidate, visible: false }], ...NOBODY_LISTS } },
  ...([SU, IV, FP, BI] as const).map((purpose): Case => ({ role: 'support', purpose, reach: STAFF })),
  ...([SU, IV, FP, LO, VI, PH, GC] as const).map((purpose): Case => ({ role: 'compliance', purpose, reach: STAFF })),
  // Internal audit reads the accountability records; every candidate field is withheld under it.
  { role: 'compliance', purpose: 'INTERNAL_AUDIT', reach: STAFF },
];

// ---------------------------------------------------------------------------------------------------------------
// The query, built from one shape so the selection and the checks cannot drift apart
// ---------------------------------------------------------------------------------------------------------------

interface Shape {
  type: string;
  fields: Record<string, Shape | null>;
}
const obj = (type: string, fields: Record<string, Shape | null>): Shape => ({ type, fields });
const L = null;

const APPLICATION_OF_CANDIDATE = obj('Application', {
  id: L,
  candidateId: L,
  status: L,
  coverLetter: L,
  job: obj('Job', { id: L, employer: obj('Employer', { id: L }) }),
});

const CANDIDATE = obj('Candidate', {
  id: L,
  fullName: L,
  fullNameKana: L,
  email: L,
  phone: L,
  birthDate: L,
  address: obj('Address', { postalCode: L, prefecture: L, city: L, street: L }),
  residenceCard: obj('ResidenceCard', { number: L, nationality: L, statusOfResidence: L, expiresOn: L }),
  resume: obj('Resume', {
    summary: L,
    skills: L,
    updatedAt: L,
    workHistory: obj('WorkHistoryEntry', { company: L, title: L, startedOn: L, endedOn: L, description: L }),
  }),
  desiredIndustries: L,
  desiredPrefectures: L,
  applications: APPLICATION_OF_CANDIDATE,
  marketingProfile: obj('MarketingProfile', {
    adIdentifiers: obj('AdIdentifier', { kind: L, value: L, createdAt: L }),
    surveyResponses: obj('SurveyResponse', {
      submittedAt: L,
      survey: obj('Survey', { id: L }),
      answers: obj('SurveyAnswer', { question: L, answer: L }),
    }),
    campaignHistory: obj('CampaignDelivery', { sentAt: L, openedAt: L, campaign: obj('Campaign', { id: L }) }),
  }),
});

const APPLICATION_OF_JOB = obj('Application', { id: L, candidateId: L, status: L, coverLetter: L, candidate: CANDIDATE });

function selection(shape: Shape): string {
  return Object.entries(shape.fields)
    .map(([name, child]) => (child ? `${name} { ${child === CANDIDATE ? '...C' : selection(child)} }` : name))
    .join(' ');
}

const FRAGMENTS = `fragment C on Candidate { ${selection(CANDIDATE)} }`;

function matrixQuery(lookups: number): string {
  const variables = Array.from({ length: lookups }, (_, i) => `$l${i}: ID!`).join(' ');
  const fields = Array.from({ length: lookups }, (_, i) => `l${i}: candidate(id: $l${i}) { ...C }`).join('\n');
  return `query Matrix(${variables} $campaign: ID!, $job: ID!) {
    me { ...C }
    ${fields}
    candidates(first: 5) { nodes { ...C } }
    campaignAudience(campaignId: $campaign, first: 5) { nodes { ...C } }
    job(id: $job) { id applications(first: 100) { nodes { ${selection(APPLICATION_OF_JOB)} } } }
  }
  ${FRAGMENTS}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------------------------

type Outcome = { kind: 'allow' } | { kind: 'mask'; strategy: string } | { kind: 'deny'; code: 'PII_REDACTED' | 'CONSENT_REQUIRED' };

let t: TestSystem;
/** Raw records (the candidate's own `me` under SERVICE_PROVISION), by candidate id. */
const raw = new Map<string, any>();
/** An applicant of the demo job who withdrew EMPLOYER_DISCLOSURE for the demo employer after applying. */
let withdrawnApplicant: string;

async function rawCandidates(ids: Iterable<string>): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !raw.has(id));
  await Promise.all(
    missing.map(async (id) => {
      const res = await t.query(`{ me { ...C } } ${FRAGMENTS}`, { token: await t.token({ role: 'candidate', sub: id }) });
      expect(res.body.errors, `raw record of ${id}`).toBeUndefined();
      expect(res.body.data?.me?.id).toBe(id);
      raw.set(id, res.body.data!.me);
    }),
  );
}

interface Check {
  c: Case;
  sub: string;
  org: string | null;
  consented: (subjectId: string, purpose: Purpose, recipient: string | null) => boolean;
  now: Date;
  errors: FieldError[];
  masks: MaskEntry[];
}

function expectedOutcome(check: Check, coordinate: string, subject: string): Outcome {
  if (NOT_PERSONAL.has(coordinate)) return { kind: 'allow' };
  const rule = SPEC[coordinate];
  if (!rule) throw new Error(`SPEC has no rule for ${coordinate}`);
  const { purpose } = check.c;
  let outcome: Outcome;
  if (rule.raw.includes(purpose)) outcome = { kind: 'allow' };
  else if (rule.masked?.purposes.includes(purpose)) outcome = { kind: 'mask', strategy: rule.masked.strategy };
  else return { kind: 'deny', code: 'PII_REDACTED' };
  // SERVICE_PROVISION covers the caller's own record only.
  if (purpose === SP && subject !== check.sub) return { kind: 'deny', code: 'PII_REDACTED' };
  if (CONSENT_PURPOSES.includes(purpose)) {
    const recipient = purpose === ED ? check.org : null;
    if (!check.consented(subject, purpose, recipient)) return { kind: 'deny', code: 'CONSENT_REQUIRED' };
  }
  return outcome;
}

/** Which of a visible record's list items the caller may see (row rules of DESIGN §1). */
function visibleItems(check: Check, coordinate: string, items: any[]): any[] {
  if (coordinate === 'Candidate.applications' && check.c.role === 'employer') {
    return items.filter((a) => a.job.employer.id === check.org); // only applications to the employer's own jobs
  }
  return items;
}

function checkObject(check: Check, shape: Shape, actual: any, expectedRaw: any, path: (string | number)[], inherited: string) {
  const where = JSON.stringify(path);
  expect(actual, where).toBeTypeOf('object');
  expect(actual, where).not.toBeNull();
  expect(Object.keys(actual).sort(), where).toEqual(Object.keys(shape.fields).sort());
  const subjectField = SUBJECT_FIELD[shape.type];
  const subject = subjectField ? (expectedRaw[subjectField] as string) : inherited;
  for (const [name, child] of Object.entries(shape.fields)) {
    const coordinate = `${shape.type}.${name}`;
    const fieldPath = [...path, name];
    const value = actual[name];
    const rawValue = expectedRaw[name];
    const outcome = expectedOutcome(check, coordinate, subject);
    const at = `${coordinate} at ${JSON.stringify(fieldPath)} for ${check.c.role}/${check.c.purpose}`;
    switch (outcome.kind) {
      case 'deny':
        expect(value, at).toBeNull();
        check.errors.push({ path: fieldPath, code: outcome.code, coordinate });
        break;
      case 'mask':
        expect(value, at).toEqual(expectedMask(outcome.strategy, rawValue, { now: check.now, pseudonymKey: t.keys.pseudonymKey }));
        if (rawValue !== null) {
          expect(value, `${at}: a masked value differs from the raw one`).not.toEqual(rawValue);
          check.masks.push({ path: fieldPath, coordinate, strategy: outcome.strategy });
        }
        if (child !== null && rawValue !== null && !Array.isArray(rawValue)) {
          // Sub-fields the purpose withholds are not even fetched: each gets its own error under the masked value.
          for (const subField of Object.keys(child.fields)) {
            const subCoordinate = `${child.type}.${subField}`;
            const subOutcome = expectedOutcome(check, subCoordinate, subject);
            if (subOutcome.kind === 'deny') check.errors.push({ path: [...fieldPath, subField], code: subOutcome.code, coordinate: subCoordinate });
          }
        }
        break;
      case 'allow':
        if (child === null || rawValue === null) {
          expect(value, at).toEqual(rawValue);
        } else if (Array.isArray(rawValue)) {
          const items = visibleItems(check, coordinate, rawValue);
          expect(value, at).toHaveLength(items.length);
          items.forEach((item, i) => checkObject(check, child, value[i], item, [...fieldPath, i], subject));
        } else {
          checkObject(check, child, value, rawValue, fieldPath, subject);
        }
        break;
      default:
        outcome satisfies never;
    }
  }
}

function checkCandidate(check: Check, actual: any, path: (string | number)[]) {
  expect(actual, JSON.stringify(path)).not.toBeNull();
  const record = raw.get(actual.id);
  expect(record, `raw record of ${actual.id}`).toBeDefined();
  checkObject(check, CANDIDATE, actual, record, path, actual.id);
}

function tokenClaims(c: Case) {
  return {
    role: c.role,
    sub: c.role === 'candidate' ? DEMO_IDS.candidate : `${c.role}-matrix`,
    org: c.role === 'employer' ? DEMO_IDS.employer : null,
  };
}

async function runCase(c: Case) {
  const claims = tokenClaims(c);
  const token = await t.token(claims); // every purpose the role may hold; the request declares one
  const headers = LEGAL_BASIS_PURPOSES.includes(c.purpose) ? legalBasisHeader(JAPANESE_LEGAL_BASIS) : {};
  const variables: Record<string, string> = { campaign: DEMO_IDS.campaign, job: DEMO_IDS.job };
  c.reach.lookups.forEach((l, i) => (variables[`l${i}`] = l.id));
  const res = await t.query(matrixQuery(c.reach.lookups.length), { token, purpose: c.purpose, variables, headers });
  expect(res.status, JSON.stringify(res.body.errors)).toBe(200);
  const data = res.body.data!;
  expect(data).toBeTruthy();

  // Raw records of everyone the response talks about, and their consent state.
  const ids = new Set<string>();
  if (data.me) ids.add(data.me.id);
  c.reach.lookups.forEach((_, i) => data[`l${i}`] && ids.add(data[`l${i}`].id));
  for (const n of [...data.candidates.nodes, ...data.campaignAudience.nodes]) ids.add(n.id);
  // Who applied comes from the database: Application.candidateId is itself withheld under some purposes.
  const applicants = new Map<string, string>();
  const applicantRows = await t.db.db
    .select({ id: applicationsTable.id, candidate: applicationsTable.candidateId })
    .from(applicationsTable)
    .where(eq(applicationsTable.jobId, DEMO_IDS.job));
  for (const row of applicantRows) applicants.set(row.id, row.candidate);
  for (const n of data.job?.applications.nodes ?? []) ids.add(applicants.get(n.id)!);
  await rawCandidates(ids);
  const consented = await loadConsentOracle(t.db.db, [...ids]);
  const check: Check = { c, sub: claims.sub, org: claims.org, consented, now: new Date(), errors: [], masks: [] };

  if (c.reach.me) checkCandidate(check, data.me, ['me']);
  else expect(data.me).toBeNull();

  // Nothing identifying of a subject the caller may not reach appears anywhere in the response.
  const hidden = c.reach.lookups.filter((l) => !l.visible).map((l) => l.id);
  await rawCandidates(hidden);
  const body = JSON.stringify(res.body);
  for (const id of hidden) {
    const r = raw.get(id);
    for (const value of [id, r.email, r.phone, r.residenceCard?.number].filter(Boolean)) {
      expect(body, `${value} of ${id} leaked to ${c.role}/${c.purpose}`).not.toContain(value);
    }
  }

  c.reach.lookups.forEach((lookup, i) => {
    if (lookup.visible) {
      expect(data[`l${i}`]?.id, `candidate(id: ${lookup.id})`).toBe(lookup.id);
      checkCandidate(check, data[`l${i}`], [`l${i}`]);
    } else {
      expect(data[`l${i}`], `candidate(id: ${lookup.id}) must be null for ${c.role}/${c.purpose}`).toBeNull();
    }
  });

  const search = data.candidates.nodes as any[];
  if (c.reach.candidates) {
    expect(search.length).toBeGreaterThan(0);
    search.forEach((node, i) => {
      // Employer search lists consented candidates only: a row without consent is left out, not redacted.
      if (c.role === 'employer') expect(consented(node.id, ED, DEMO_IDS.employer), `search row ${node.id}`).toBe(true);
      checkCandidate(check, node, ['candidates', 'nodes', i]);
    });
  } else {
    expect(search).toEqual([]);
  }

  const audience = data.campaignAudience.nodes as any[];
  if (c.reach.audience) {
    expect(audience.length).toBeGreaterThan(0);
    audience.forEach((node, i) => {
      expect(consented(node.id, c.purpose, null), `audience row ${node.id}`).toBe(true);
      checkCandidate(check, node, ['campaignAudience', 'nodes', i]);
    });
  } else {
    expect(audience).toEqual([]);
  }

  expect(data.job?.id).toBe(DEMO_IDS.job);
  const applications = data.job.applications.nodes as any[];
  if (c.reach.jobApplications) {
    const byCandidate = new Map(applications.map((a) => [applicants.get(a.id), a]));
    expect(byCandidate.has(DEMO_IDS.candidate)).toBe(true);
    expect(byCandidate.has(withdrawnApplicant)).toBe(true);
    applications.forEach((node, i) => {
      const applicant = applicants.get(node.id)!;
      const application = raw.get(applicant).applications.find((a: any) => a.id === node.id);
      expect(application, `application ${node.id} of ${applicant}`).toBeDefined();
      checkObject(check, APPLICATION_OF_JOB, node, { ...application, candidate: raw.get(applicant) }, ['job', 'applications', 'nodes', i], applicant);
    });
  } else {
    expect(applications).toEqual([]);
  }

  expect(fieldErrors(res.body), `errors for ${c.role}/${c.purpose}`).toEqual(sortByPath(check.errors));
  expect(maskEntries(res.body), `masks for ${c.role}/${c.purpose}`).toEqual(sortByPath(check.masks));
  const personal = new Set<string>();
  for (const id of ids) stringLeaves(personalValues(raw.get(id)), personal);
  expectCleanErrors(res.body, { purpose: c.purpose, personal });
  return res;
}

/** The personal (non-key, non-timestamp) string values of a raw record. */
function personalValues(record: any) {
  const { id: _id, applications, marketingProfile, resume, ...rest } = record;
  return {
    ...rest,
    resume: resume && { summary: resume.summary, skills: resume.skills, workHistory: resume.workHistory },
    coverLetters: (applications ?? []).map((a: any) => a.coverLetter),
    adIds: (marketingProfile?.adIdentifiers ?? []).map((a: any) => a.value),
    answers: (marketingProfile?.surveyResponses ?? []).flatMap((r: any) => r.answers.map((a: any) => a.answer)),
  };
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await startTestSystem();
  // One applicant of the demo job withdraws EMPLOYER_DISCLOSURE for the demo employer, so the matrix covers CONSENT_REQUIRED.
  const rows = await t.db.db.execute(
    sql`select candidate_id from employers.applications where job_id = ${DEMO_IDS.job}::uuid and candidate_id <> ${DEMO_IDS.candidate}::uuid order by candidate_id limit 1`,
  );
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { candidate_id: string }[];
  expect(list.length, 'the demo job needs a second applicant').toBe(1);
  withdrawnApplicant = list[0]!.candidate_id;
  await recordConsent(t.db.db, {
    subjectId: withdrawnApplicant,
    purpose: 'EMPLOYER_DISCLOSURE',
    recipientId: DEMO_IDS.employer,
    action: 'WITHDRAW',
    source: 'PRIVACY_CENTER',
    actor: withdrawnApplicant,
  });
});

afterAll(async () => {
  await t?.close();
});

describe('the matrix', () => {
  it('covers every purpose each role may hold, once', () => {
    const expected = Object.entries(ROLE_PURPOSES).flatMap(([role, purposes]) => purposes.map((p) => `${role}/${p}`));
    expect(CASES.map((c) => `${c.role}/${c.purpose}`).sort()).toEqual(expected.sort());
  });

  it('the seed gives the matrix something to look at', async () => {
    await rawCandidates([DEMO_IDS.candidate]);
    const demo = raw.get(DEMO_IDS.candidate);
    // The demo candidate has a value for every field the matrix checks, so "allow", "mask" and "deny" are all visible.
    for (const key of ['fullName', 'email', 'phone', 'birthDate', 'address', 'residenceCard', 'resume'] as const) {
      expect(demo[key], key).not.toBeNull();
    }
    expect(demo.applications.length).toBeGreaterThan(0);
    expect(demo.applications.some((a: any) => a.coverLetter !== null)).toBe(true);
    expect(demo.marketingProfile.adIdentifiers.length).toBeGreaterThan(0);
    expect(demo.marketingProfile.surveyResponses.length).toBeGreaterThan(0);
    expect(demo.marketingProfile.campaignHistory.length).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [`${c.role} under ${c.purpose}`, c] as const))('%s', async (_name, c) => {
    await runCase(c);
  });
});

describe('spot checks of the policy in words', () => {
  // A few rows of SPEC restated as plain expectations on the demo candidate, so a reader sees the policy at work.
  const demo = `query($id: ID!) { c: candidate(id: $id) { email phone birthDate residenceCard { number } address { prefecture city } } }`;

  it('support sees contact data, the residence card number only as its last 4', async () => {
    await rawCandidates([DEMO_IDS.candidate]);
    const r = raw.get(DEMO_IDS.candidate);
    const res = await t.query(demo, { token: await t.token({ role: 'support' }), purpose: SU, variables: { id: DEMO_IDS.candidate } });
    expect(res.body.data!.c.email).toBe(r.email);
    expect(res.body.data!.c.phone).toBe(r.phone);
    expect(res.body.data!.c.residenceCard.number).toMatch(/^\*{8}[A-Z0-9]{4}$/);
    expect(res.body.data!.c.residenceCard.number.slice(-4)).toBe(r.residenceCard.number.slice(-4));
  });

  it('employers see the birth date as an age band and the address as its prefecture', async () => {
    const res = await t.query(demo, {
      token: await t.token({ role: 'employer', org: DEMO_IDS.employer }),
      variables: { id: DEMO_IDS.candidate },
    });
    expect(res.body.data!.c.birthDate).toMatch(/^(\d0-\d9|60\+)$/);
    expect(res.body.data!.c.address).toEqual({ prefecture: raw.get(DEMO_IDS.candidate).address.prefecture, city: null });
    expect(res.body.data!.c.residenceCard.number).toBeNull();
  });

  it('marketing sees the e-mail only under MARKETING', async () => {
    const token = await t.token({ role: 'marketer' });
    const results = await Promise.all(
      ([MK, SV, AD] as const).map((purpose) => t.query(demo, { token, purpose, variables: { id: DEMO_IDS.candidate } })),
    );
    expect(results.map((r) => r.body.data!.c.email)).toEqual([raw.get(DEMO_IDS.candidate).email, null, null]);
  });
});
