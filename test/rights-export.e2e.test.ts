// The export (APPI Art. 33) end to end, and its completeness proved rather than hoped for: every @pii coordinate of the
// privacy index is traced to the columns it reads, every column of every table that refers to a subject (from
// information_schema, columns no GraphQL field exposes included) holds a value of ONE seeded subject, and the
// document downloaded through the gateway must hold each of them — unless the column is declared below, with a reason.
// A field or a column added later without export coverage fails this test.
import { sql } from 'drizzle-orm';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { readPrivacyIndex } from '../directives/policy.ts';
import { fileRequest } from '../ledger/requests.ts';
import { markSubject, rowsAbout, subjectTables } from '../subgraphs/common/data-subject.testing.ts';
import { rowsOf } from '../subgraphs/common/data-subject.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const SUBJECT = DEMO_IDS.candidate;

/**
 * The columns of subject tables an export does not carry, each with the reason. Everything else must be exported.
 * `schema.table` names a whole table; `schema.table.column` one column.
 */
const NOT_EXPORTED: Record<string, string> = {
  'privacy.legal_holds': 'a hold set by compliance for legal proceedings (APPI Art. 33(2)(iii): disclosure would hinder them); no personal value',
  'privacy.retention_log': 'counts and rule names of what retention deleted (no values): a record of processing, kept by compliance',
  'privacy.privacy_budgets': 'an analyst\'s budget, not about a candidate',
  'privacy.access_log':
    'the operator\'s accountability record of every operation (staff identities, hash chain); who received the subject\'s data (Art. 33(5)) is exported from privacy.provision_records',
};

/** Where each @pii coordinate's value is stored: the columns it reads (every one must be exported). */
const COORDINATE_COLUMNS: Record<string, readonly string[]> = {
  'AccessLogEntry.caller': ['privacy.access_log.caller_sub'],
  'AccessLogEntry.subjects': ['privacy.access_log.subjects'],
  'AdIdentifier.value': ['marketing.ad_identifiers.value'],
  'Address.city': ['users.addresses.city'],
  'Address.postalCode': ['users.addresses.postal_code'],
  'Address.prefecture': ['users.addresses.prefecture'],
  'Address.street': ['users.addresses.street'],
  'Application.candidate': ['employers.applications.candidate_id'],
  'Application.candidateId': ['employers.applications.candidate_id'],
  'Application.coverLetter': ['employers.applications.cover_letter'],
  'CampaignDelivery.openedAt': ['marketing.campaign_recipients.opened_at'],
  'DataSubjectRequest.subjectId': ['privacy.dsr_requests.subject_id'],
  'Candidate.address': ['users.addresses.candidate_id'],
  'Candidate.applications': ['employers.applications.candidate_id'],
  'Candidate.birthDate': ['users.candidates.birth_date'],
  'Candidate.consentHistory': ['privacy.consent_events.subject_id'],
  'Candidate.consents': ['privacy.consents.subject_id'],
  'Candidate.restrictions': ['privacy.restrictions.subject_id'],
  'Candidate.desiredIndustries': ['users.candidates.desired_industries'],
  'Candidate.desiredPrefectures': ['users.candidates.desired_prefectures'],
  'Candidate.email': ['users.candidates.email'],
  'Candidate.fullName': ['users.candidates.full_name'],
  'Candidate.fullNameKana': ['users.candidates.full_name_kana'],
  'Candidate.marketingProfile': ['marketing.ad_identifiers.candidate_id', 'marketing.campaign_recipients.candidate_id', 'marketing.survey_responses.candidate_id'],
  'Candidate.phone': ['users.candidates.phone'],
  'Candidate.provisionRecords': ['privacy.provision_records.subject_id'],
  'Candidate.residenceCard': ['users.residence_cards.candidate_id'],
  'Candidate.resume': ['users.resumes.candidate_id'],
  'MarketingProfile.adIdentifiers': ['marketing.ad_identifiers.candidate_id'],
  'MarketingProfile.campaignHistory': ['marketing.campaign_recipients.candidate_id'],
  'MarketingProfile.surveyResponses': ['marketing.survey_responses.candidate_id'],
  'ProvisionRecord.subject': ['privacy.provision_records.subject_id'],
  'ResidenceCard.expiresOn': ['users.residence_cards.expires_on'],
  'ResidenceCard.nationality': ['users.residence_cards.nationality'],
  'ResidenceCard.number': ['users.residence_cards.card_number'],
  'ResidenceCard.statusOfResidence': ['users.residence_cards.status_of_residence'],
  'Resume.skills': ['users.resumes.skills'],
  'Resume.summary': ['users.resumes.summary'],
  'Resume.workHistory': ['users.work_history.candidate_id'],
  'SurveyAnswer.answer': ['marketing.survey_responses.answers'],
  'SurveyResponse.answers': ['marketing.survey_responses.answers'],
  'WorkHistoryEntry.company': ['users.work_history.company'],
  'WorkHistoryEntry.description': ['users.work_history.description'],
  'WorkHistoryEntry.endedOn': ['users.work_history.ended_on'],
  'WorkHistoryEntry.startedOn': ['users.work_history.started_on'],
  'WorkHistoryEntry.title': ['users.work_history.title'],
};


let t: TestSystem;
let token: string;

beforeAll(async () => {
  t = await startTestSystem({ gateway: { dataSubjectRights: { intervalMs: 100 } } });
  token = await t.token({ role: 'candidate', sub: SUBJECT });
});

afterAll(async () => {
  await t?.close();
});

function download(requestId: string, options: { token?: string; purpose?: string } = {}) {
  const url = new URL(`/privacy/exports/${requestId}`, t.system.gateway.url);
  return fetch(url, { headers: { authorization: `Bearer ${options.token ?? token}`, 'x-purpose': options.purpose ?? 'SERVICE_PROVISION' } });
}

async function requestExport(): Promise<string> {
  const r = await t.query('mutation { requestMyDataExport { id kind status steps { name status } } }', { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.data!.requestMyDataExport.steps.map((s: { name: string }) => s.name)).toEqual(['users', 'employers', 'marketing']);
  return r.body.data!.requestMyDataExport.id;
}

/** A value as the comparison sees it: times by their instant, everything else as JSON. */
function normal(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return `time:${Date.parse(value.replace(' ', 'T'))}`;
  return JSON.stringify(value);
}

describe('data export', () => {
  it('holds every value of every column about the subject, and every @pii coordinate is covered', async () => {
    const db = t.db.db;
    // Rows the seed may not give the subject: a residence card, a survey response, a restriction, a campaign delivery.
    await db.execute(sql`insert into users.residence_cards (candidate_id, card_number, nationality, status_of_residence, expires_on)
      values (${SUBJECT}::uuid, 'AB12345678CD', 'VN', 'Engineer', '2029-03-31') on conflict do nothing`);
    await db.execute(sql`insert into marketing.survey_responses (id, survey_id, candidate_id, answers)
      select gen_random_uuid(), s.id, ${SUBJECT}::uuid, '{"q1": "x"}'::jsonb from marketing.surveys s
      where not exists (select 1 from marketing.survey_responses r where r.candidate_id = ${SUBJECT}::uuid) limit 1`);
    await db.execute(sql`insert into marketing.campaign_recipients (campaign_id, candidate_id, sent_at, opened_at)
      select c.id, ${SUBJECT}::uuid, now(), now() from marketing.campaigns c on conflict do nothing`);
    await db.execute(sql`update marketing.campaign_recipients set opened_at = now() where candidate_id = ${SUBJECT}::uuid`);
    await db.execute(sql`insert into privacy.restrictions (subject_id, purpose, request_id) values (${SUBJECT}::uuid, 'SUPPORT', gen_random_uuid()) on conflict do nothing`);
    await db.execute(sql`update users.candidates set gender = 'x' where id = ${SUBJECT}::uuid`);
    // A past request of the subject's, so privacy.dsr_requests holds a row too.
    await db.transaction((tx) => fileRequest(tx, { kind: 'CORRECTION', subjectId: SUBJECT, filedBy: SUBJECT, filedByRole: 'candidate', status: 'COMPLETED', detail: { coordinates: ['Candidate.phone'] } }));
    // A distinctive value in every text, array, JSON and date column of the subgraphs' subject tables.
    const subgraphTables = await subjectTables(db, ['users', 'employers', 'marketing'], [{ schema: 'users', table: 'candidates', column: 'id' }]);
    await markSubject(db, subgraphTables, SUBJECT);
    // A provision to an employer the subject consented to, so privacy.provision_records holds a row about them.
    const granted = await t.query('mutation($e: ID) { grantConsent(purpose: EMPLOYER_DISCLOSURE, recipient: $e) { state } }', { token, variables: { e: DEMO_IDS.employer } });
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const employer = await t.token({ role: 'employer', org: DEMO_IDS.employer });
    const read = await t.query('query($id: ID!) { candidate(id: $id) { fullName } }', { token: employer, variables: { id: SUBJECT } });
    expect(read.body.data?.candidate?.fullName, JSON.stringify(read.body)).toBeTruthy();

    const tables = [...subgraphTables, ...(await subjectTables(db, ['privacy']))];
    const requestId = await requestExport();
    const response = await download(requestId);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="data-export-${requestId}.json"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const document = (await response.json()) as {
      subjectId: string;
      requestId: string;
      generatedAt: string;
      subgraphs: Record<string, { collections: { name: string; rows: Record<string, unknown>[] }[] }>;
      categories: { category: string; coordinates: string[]; purposes: { purpose: string; sources: { policy: string; clause: string }[] }[] }[];
    };
    expect(document).toMatchObject({ subjectId: SUBJECT, requestId });
    expect(Number.isNaN(Date.parse(document.generatedAt))).toBe(false);
    expect(Object.keys(document.subgraphs).sort()).toEqual(['employers', 'marketing', 'users']);
    const exported = new Map<string, Record<string, unknown>[]>();
    for (const part of Object.values(document.subgraphs)) for (const c of part.collections) exported.set(c.name, [...(exported.get(c.name) ?? []), ...c.rows]);

    // Every column of every subject table: each value the database holds about the subject is in the export.
    const missing: string[] = [];
    const covered = new Set<string>();
    for (const table of tables) {
      const name = `${table.schema}.${table.table}`;
      if (NOT_EXPORTED[name]) continue;
      // The export request being downloaded is completed by the download: the document holds it as it was before.
      const rows = (await rowsAbout(db, table, SUBJECT)).filter((row) => name !== 'privacy.dsr_requests' || row.id !== requestId);
      if (rows.length === 0) {
        missing.push(`${name}: the subject has no row; seed one in this test`);
        continue;
      }
      const served = exported.get(name);
      if (!served) {
        missing.push(`${name}: no collection in the export`);
        continue;
      }
      for (const column of Object.keys(rows[0]!)) {
        const coordinate = `${name}.${column}`;
        if (NOT_EXPORTED[coordinate]) continue;
        const held = new Set(served.map((row) => normal(row[column])));
        const absent = rows.filter((row) => row[column] !== null && !held.has(normal(row[column])));
        if (absent.length > 0) missing.push(`${coordinate}: ${absent.length} value(s) missing`);
        else covered.add(coordinate);
      }
    }
    expect(missing).toEqual([]);
    // users.candidates.gender: no GraphQL field exposes it, the export does.
    expect(covered).toContain('users.candidates.gender');

    // Every @pii coordinate of the privacy index reads columns the export was shown to carry.
    const { index } = readPrivacyIndex(parse(t.system.supergraphSdl));
    const pii = [...index.fields].filter(([, c]) => c.kind === 'pii').map(([coordinate]) => coordinate).sort();
    expect(pii.filter((c) => !COORDINATE_COLUMNS[c])).toEqual([]);
    const declared = (column: string) => NOT_EXPORTED[column] !== undefined || NOT_EXPORTED[column.split('.').slice(0, 2).join('.')] !== undefined;
    for (const coordinate of pii) {
      for (const column of COORDINATE_COLUMNS[coordinate]!) expect(covered.has(column) || declared(column), `${coordinate} reads ${column}`).toBe(true);
    }

    // For each category: the purposes it is used for, with the policy clauses.
    const name = document.categories.find((c) => c.category === 'NAME')!;
    expect(name.coordinates).toContain('Candidate.fullName');
    const service = name.purposes.find((p) => p.purpose === 'SERVICE_PROVISION')!;
    expect(service.sources).toContainEqual({ policy: '000 MIMS Career Portal', clause: '3.A' });
    const categories = new Set(pii.map((c) => (index.fields.get(c) as { policy: { category: string } }).policy.category));
    expect(document.categories.map((c) => c.category).sort()).toEqual([...categories].sort());
  });

  it('cannot be replayed: the request is completed on delivery, logged, and a second download is refused', async () => {
    const requestId = await requestExport();
    const first = await download(requestId);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await download(requestId);
    expect(second.status).toBe(410);
    const body = (await second.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.message).toMatch(/already delivered/);
    const r = await t.query(`query($id: ID!) { dataSubjectRequest(id: $id) { status completedAt steps { status } } }`, { token, variables: { id: requestId } });
    expect(r.body.data!.dataSubjectRequest).toMatchObject({ status: 'COMPLETED' });
    expect(r.body.data!.dataSubjectRequest.steps.every((s: { status: string }) => s.status === 'DONE')).toBe(true);
    const downloads = rowsOf<{ n: number | string }>(
      await t.db.db.execute(sql`select count(*) as n from privacy.access_log where event = 'DATA_SUBJECT_REQUEST' and detail->>'requestId' = ${requestId} and detail->>'action' = 'DOWNLOAD'`),
    );
    expect(Number(downloads[0]!.n)).toBe(1);
  });

  it('only the subject downloads it, under SERVICE_PROVISION, with a valid token', async () => {
    const requestId = await requestExport();
    expect((await download(requestId, { token: 'not-a-token' })).status).toBe(401);
    const other = await t.token({ role: 'candidate' });
    expect((await download(requestId, { token: other })).status).toBe(404);
    const support = await t.token({ role: 'support' });
    expect((await download(requestId, { token: support, purpose: 'SUPPORT' })).status).toBe(403);
    expect((await download('not-a-uuid')).status).toBe(400);
    // None of these delivered it.
    const r = await t.query(`query($id: ID!) { dataSubjectRequest(id: $id) { status } }`, { token, variables: { id: requestId } });
    expect(r.body.data!.dataSubjectRequest.status).toBe('RECEIVED');
    expect((await download(requestId)).status).toBe(200);
  });

  it('answers 503 while a subgraph is down and leaves the request open; a later download works', async () => {
    const requestId = await requestExport();
    const marketing = t.system.subgraphs.marketing;
    const port = marketing.port;
    await marketing.close();
    const { startSubgraph } = await import('../subgraphs/common/server.ts');
    const { marketingSubgraph } = await import('../subgraphs/marketing/index.ts');
    let restarted: Awaited<ReturnType<typeof startSubgraph>> | null = null;
    try {
      const failed = await download(requestId);
      expect(failed.status).toBe(503);
      const r = await t.query(`query($id: ID!) { dataSubjectRequest(id: $id) { status steps { name status lastError } } }`, { token, variables: { id: requestId } });
      expect(r.body.data!.dataSubjectRequest.status).toBe('IN_PROGRESS');
      expect(r.body.data!.dataSubjectRequest.steps.find((s: { name: string }) => s.name === 'marketing')).toMatchObject({ status: 'FAILED', lastError: 'SUBGRAPH_UNAVAILABLE' });
      restarted = await startSubgraph(marketingSubgraph(), { db: t.db.db, assertionJwks: t.keys.assertion.jwks, bindingKey: t.keys.bindingKey, port });
      expect((await download(requestId)).status).toBe(200);
    } finally {
      await restarted?.close();
    }
  });
});
