// Accountability end to end, over real HTTP on a real database: the access log row and the provision records
// (APPI Art. 29) of every release of personal data are committed before the response leaves, and a log that cannot
// be written stops the release (AUDIT_UNAVAILABLE) while operations without personal fields keep working.
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccessLog } from '../audit/verify.ts';
import { accessLog, provisionRecords } from '../db/schema/audit.ts';
import { consents } from '../db/schema/privacy.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { grantingConsent } from '../ledger/consent.ts';
import { holdAccessLog } from './audit-helpers.ts';
import { openTestDatabase } from './database.ts';
import { legalBasisHeader } from './privacy-helpers.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

const PAGE = `query Page { candidates(first: 100) { nodes { id fullName email desiredIndustries } } }`;
const JOBS = `{ jobs(first: 5) { nodes { title } } }`;
const COURT_ORDER = '東京地裁 令和8年(モ)第123号';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem({ audit: { commitTimeoutMs: 300 } });
});
afterAll(async () => {
  await t?.close();
});

async function post(query: string, headers: Record<string, string>, variables?: Record<string, unknown>) {
  const response = await fetch(t.system.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as GraphQLResponse['body'] };
}

const employer = async (org: string = DEMO_IDS.employer) => ({
  authorization: `Bearer ${await t.token({ role: 'employer', org })}`,
  'x-purpose': 'EMPLOYER_DISCLOSURE',
});

const rowOf = async (requestId: string) => t.db.db.select().from(accessLog).where(eq(accessLog.requestId, requestId));

/** Strings of a response's data (every value a client received), to look for in the log. */
function valuesOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => valuesOf(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => valuesOf(v, into));
  return into;
}

describe('the access log and provision records', () => {
  it('an employer page of 100 candidates: one log row, and provision records of exactly the released candidates with their consent events', async () => {
    const res = await post(PAGE, await employer());
    expect(res.status).toBe(200);
    const nodes = res.body.data!.candidates.nodes as { id: string; fullName: string | null; email: string | null }[];
    expect(nodes.length).toBeGreaterThan(10);
    const released = nodes.filter((n) => n.fullName !== null).map((n) => n.id).sort();
    expect(released.length).toBeGreaterThan(5);

    const [row] = await rowOf(res.requestId!);
    expect(row).toMatchObject({ event: 'FIELD_ACCESS', role: 'employer', org: DEMO_IDS.employer, purpose: 'EMPLOYER_DISCLOSURE', operationName: 'Page' });
    expect(row!.subjects).toEqual(released);
    expect(row!.released).toEqual(expect.arrayContaining(['Candidate.fullName']));
    // No value the client received is in the row (ids are not values: they are the subjects).
    const rowText = JSON.stringify(row);
    for (const value of valuesOf(res.body.data).filter((v) => !nodes.some((n) => n.id === v) && v.length > 3)) expect(rowText).not.toContain(value);

    const records = await t.db.db.select().from(provisionRecords).where(eq(provisionRecords.requestId, res.requestId!));
    expect(records.map((r) => r.subjectId).sort()).toEqual(released);
    const state = await t.db.db.select().from(consents).where(inArray(consents.subjectId, released));
    const now = new Date();
    for (const record of records) {
      const rows = state
        .filter((c) => c.subjectId === record.subjectId)
        .map((c) => ({ purpose: c.purpose, recipientId: c.recipientId, state: c.state, expiresAt: c.expiresAt, eventId: c.lastEventId }));
      const expected = grantingConsent(rows, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, now)?.eventId;
      expect(record).toMatchObject({ recipientKind: 'EMPLOYER', recipientId: DEMO_IDS.employer, basisKind: 'CONSENT', consentEventId: expected, provisionCount: 1 });
      expect(record.items).toContain('Candidate.fullName');
      expect(record.categories).toContain('NAME');
    }

    // The same page again the same day: no new record, the repeat is counted (and flushed by the writer).
    const again = await post(PAGE, await employer());
    expect(again.status).toBe(200);
    expect(await t.db.db.select().from(provisionRecords).where(eq(provisionRecords.requestId, again.requestId!))).toEqual([]);
    expect((await rowOf(again.requestId!)).length).toBe(1);
  });

  it('a legal-basis request records its reference, in the log and as a provision to the party it names', async () => {
    const headers = {
      authorization: `Bearer ${await t.token({ role: 'compliance' })}`,
      'x-purpose': 'LEGAL_OBLIGATION',
      ...legalBasisHeader(COURT_ORDER),
    };
    const res = await post(`query($id: ID!) { candidate(id: $id) { id fullName email } }`, headers, { id: DEMO_IDS.candidate });
    expect(res.status).toBe(200);
    expect(res.body.data!.candidate.email).toEqual(expect.any(String));
    const [row] = await rowOf(res.requestId!);
    expect(row).toMatchObject({ legalBasis: COURT_ORDER, purpose: 'LEGAL_OBLIGATION', role: 'compliance', subjects: [DEMO_IDS.candidate], outcome: 'RELEASED' });
    const records = await t.db.db.select().from(provisionRecords).where(eq(provisionRecords.requestId, res.requestId!));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ recipientKind: 'LEGAL_BASIS', recipientId: null, subjectId: DEMO_IDS.candidate, basisKind: 'LEGAL_BASIS', legalBasis: COURT_ORDER });
    expect(records[0]!.items.sort()).toEqual(['Candidate.email', 'Candidate.fullName']);
  });

  it('logs withheld values with their full reason, and does not log an operation without personal fields', async () => {
    const support = { authorization: `Bearer ${await t.token({ role: 'support' })}`, 'x-purpose': 'BILLING' };
    const res = await post(`query($id: ID!) { candidate(id: $id) { id birthDate } }`, support, { id: DEMO_IDS.candidate });
    expect(res.body.data!.candidate.birthDate).toBeNull();
    const [row] = await rowOf(res.requestId!);
    expect(row).toMatchObject({ outcome: 'WITHHELD', released: [], subjects: [] });
    expect(row!.withheld['Candidate.birthDate']).toEqual(['PURPOSE_NOT_ALLOWED']);
    const jobs = await post(JOBS, await employer());
    expect(jobs.status).toBe(200);
    expect(jobs.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rowOf(jobs.requestId!)).toEqual([]);
    // Strict mode refuses the whole operation: logged as refused, with what it asked for.
    const strict = await post(`query($id: ID!) { candidate(id: $id) { id birthDate } }`, { ...support, 'x-privacy-mode': 'strict' }, { id: DEMO_IDS.candidate });
    expect(strict.body.errors?.[0]?.extensions?.code).toBe('OPERATION_REJECTED');
    const [rejected] = await rowOf(strict.requestId!);
    expect(rejected).toMatchObject({ outcome: 'REJECTED', released: [], withheld: { 'Candidate.birthDate': ['PURPOSE_NOT_ALLOWED'] } });
    // The writer's counters, as plain JSON.
    const metrics = (await (await fetch(t.system.gateway.url.replace('/graphql', '/metrics/audit'))).json()) as Record<string, number>;
    expect(metrics.rows).toBeGreaterThan(2);
    expect(metrics.failedBatches).toBe(0);
    expect(metrics).toHaveProperty('commitLatencyMs.p99');
    // Every answer carries its request id, a refused token's too; a client's own id is not taken.
    const anonymous = await post(JOBS, { 'x-request-id': 'client-chosen' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('reading the records through the graph', () => {
  const RECORDS = `query Mine($after: String) { me { provisionRecords(first: 1, after: $after) {
    nodes { date recipient { id name } items categories basis consentEventId legalBasis count subject }
    pageInfo { hasNextPage endCursor } } } }`;
  let subject: string;
  let pageRequest: string;
  beforeAll(async () => {
    // Two employers receive the same candidate's data: two records about them.
    const first = await post(PAGE, await employer(DEMO_IDS.employer));
    const second = await post(PAGE, await employer(DEMO_IDS.otherEmployer));
    const both = (second.body.data!.candidates.nodes as { id: string; fullName: string | null }[])
      .filter((n) => n.fullName !== null)
      .map((n) => n.id)
      .filter((id) => (first.body.data!.candidates.nodes as { id: string; fullName: string | null }[]).some((n) => n.id === id && n.fullName !== null));
    expect(both.length).toBeGreaterThan(0);
    subject = both[0]!;
    pageRequest = first.requestId!;
  });

  it('a candidate sees their own provision records, page by page, with the recipient through the graph', async () => {
    const headers = { authorization: `Bearer ${await t.token({ role: 'candidate', sub: subject })}` };
    const page1 = await post(RECORDS, headers);
    expect(page1.status).toBe(200);
    expect(page1.body.errors).toBeUndefined();
    const connection = page1.body.data!.me.provisionRecords;
    expect(connection.nodes).toHaveLength(1);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    const page2 = await post(RECORDS, headers, { after: connection.pageInfo.endCursor });
    const records = [...connection.nodes, ...page2.body.data!.me.provisionRecords.nodes];
    expect(records.map((r: { recipient: { id: string } }) => r.recipient.id).sort()).toEqual([DEMO_IDS.employer, DEMO_IDS.otherEmployer].sort());
    for (const record of records) {
      expect(record).toMatchObject({ basis: 'CONSENT', legalBasis: null, subject, count: expect.any(Number) });
      expect(record.recipient.name).toEqual(expect.any(String));
      expect(record.items).toContain('Candidate.fullName');
      expect(record.consentEventId).toMatch(/^\d+$/);
    }
  });

  it('an employer cannot read a candidate\'s provision records, nor another candidate', async () => {
    const query = `query($id: ID!) { candidate(id: $id) { id provisionRecords { nodes { date } } } }`;
    const asEmployer = await post(query, await employer(), { id: subject });
    expect(asEmployer.body.data!.candidate.provisionRecords).toBeNull();
    expect(asEmployer.body.errors?.map((e) => e.extensions?.code)).toEqual(['PII_REDACTED']);
    const other = { authorization: `Bearer ${await t.token({ role: 'candidate', sub: DEMO_IDS.candidate })}` };
    const asOther = await post(query, other, { id: subject });
    expect(asOther.body.data?.candidate ?? null).toBeNull();
    expect(JSON.stringify(asOther.body)).not.toContain(DEMO_IDS.otherEmployer);
  });

  it('compliance staff read the access log and the provision records under INTERNAL_AUDIT, and that read is logged', async () => {
    const headers = { authorization: `Bearer ${await t.token({ role: 'compliance', purposes: ['INTERNAL_AUDIT', 'SUPPORT'] })}`, 'x-purpose': 'INTERNAL_AUDIT' };
    const log = await post(
      `query Audit($s: ID!) { accessLog(filter: { subject: $s, purpose: "EMPLOYER_DISCLOSURE" }, first: 50) { nodes { requestId caller org purpose subjects released outcome } } }`,
      headers,
      { s: subject },
    );
    expect(log.status).toBe(200);
    const entries = log.body.data!.accessLog.nodes as { requestId: string; subjects: string[]; purpose: string }[];
    expect(entries.map((e) => e.requestId)).toContain(pageRequest);
    for (const entry of entries) {
      expect(entry.subjects).toContain(subject);
      expect(entry.purpose).toBe('EMPLOYER_DISCLOSURE');
    }
    // Filters by caller and time narrow the same search.
    const caller = (await rowOf(pageRequest))[0]!.callerSub!;
    const filtered = async (filter: string) =>
      ((await post(`query($s: ID!) { accessLog(filter: { subject: $s, ${filter} }) { nodes { requestId } } }`, headers, { s: subject })).body.data!.accessLog.nodes as { requestId: string }[]).map(
        (n) => n.requestId,
      );
    expect(await filtered(`caller: "${caller}"`)).toEqual([pageRequest]);
    expect(await filtered(`from: "${new Date(Date.now() + 60_000).toISOString()}"`)).toEqual([]);
    expect(await filtered(`to: "2000-01-01T00:00:00Z"`)).toEqual([]);
    const [read] = await rowOf(log.requestId!);
    expect(read).toMatchObject({ purpose: 'INTERNAL_AUDIT', role: 'compliance', operationName: 'Audit' });
    expect(read!.released).toEqual(expect.arrayContaining(['AccessLogEntry.caller', 'AccessLogEntry.subjects']));

    const records = await post(
      `query($s: ID!, $r: ID!) { provisionRecords(filter: { subject: $s, recipient: $r }) { nodes { subject recipient { id } basis } } }`,
      headers,
      { s: subject, r: DEMO_IDS.employer },
    );
    expect(records.body.data!.provisionRecords.nodes).toEqual([{ subject, recipient: { id: DEMO_IDS.employer }, basis: 'CONSENT' }]);
    // Not for anyone else, nor under another purpose.
    const support = { authorization: `Bearer ${await t.token({ role: 'support' })}`, 'x-purpose': 'SUPPORT' };
    expect((await post('{ accessLog { nodes { requestId } } }', support)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const complianceSupport = { ...headers, 'x-purpose': 'SUPPORT' };
    expect((await post('{ provisionRecords { nodes { date } } }', complianceSupport)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('fail closed', () => {
  const expectRefused = (res: Awaited<ReturnType<typeof post>>, secret: string) => {
    expect(res.status).toBe(503);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(res.body)).not.toContain(secret);
  };
  const me = async () => ({ authorization: `Bearer ${await t.token({ role: 'candidate', sub: DEMO_IDS.candidate })}` });
  let email: string;
  beforeAll(async () => {
    email = (await post('{ me { email } }', await me())).body.data!.me.email;
    expect(email).toContain('@');
  });

  it('inserts refused: personal-data requests get AUDIT_UNAVAILABLE and no value, jobs still answer', async () => {
    await t.db.db.execute(sql.raw("create function privacy.test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused'; end; $$"));
    await t.db.db.execute(sql.raw('create trigger test_refuse before insert on privacy.access_log for each row execute function privacy.test_refuse()'));
    try {
      expectRefused(await post('{ me { email fullName } }', await me()), email);
      const jobs = await post(JOBS, await employer());
      expect(jobs.status).toBe(200);
      expect(jobs.body.data!.jobs.nodes.length).toBeGreaterThan(0);
    } finally {
      await t.db.db.execute(sql.raw('drop trigger test_refuse on privacy.access_log'));
      await t.db.db.execute(sql.raw('drop function privacy.test_refuse()'));
    }
    expect((await post('{ me { email } }', await me())).body.data!.me.email).toBe(email);
  });

  it('the chain still verifies after refusals', async () => {
    await t.system.gateway.audit!.close();
    const report = await verifyAccessLog(t.db.db, { jwks: t.keys.audit.jwks });
    expect(report).toMatchObject({ ok: true, chains: 1 });
    expect(t.system.gateway.audit!.metrics().failedBatches + t.system.gateway.audit!.metrics().timeouts).toBeGreaterThan(0);
  });
});

describe('the writer on its own database handle', () => {
  it('hanging, then closed: AUDIT_UNAVAILABLE within the commit timeout and nothing personal leaves; jobs still answer', async () => {
    // The writer gets a handle of its own (a copy of the database): held by another connection, then closed under it.
    const own = await openTestDatabase();
    const second = await startTestSystem({ db: t.db, audit: { db: own.db, commitTimeoutMs: 300 } });
    try {
      const token = await second.token({ role: 'candidate', sub: DEMO_IDS.candidate });
      const employerToken = await second.token({ role: 'employer', org: DEMO_IDS.employer });
      const email = (await second.query('{ me { email } }', { token })).body.data!.me.email as string;
      expect(email).toContain('@');
      const refused = (res: GraphQLResponse) => {
        expect(res.status).toBe(503);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
        expect(JSON.stringify(res.body)).not.toContain(email);
      };

      const hold = holdAccessLog(own, 1_500);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      const [hung, jobs] = await Promise.all([second.query('{ me { email } }', { token }), second.query(JOBS, { token: employerToken })]);
      refused(hung);
      expect(Date.now() - started).toBeLessThan(1_200);
      expect(jobs.status).toBe(200);
      expect(jobs.body.data!.jobs.nodes.length).toBeGreaterThan(0);
      await hold;
      expect(second.system.gateway.audit!.metrics().timeouts).toBeGreaterThan(0);
      // Once the database answers again, so does the gateway.
      expect((await second.query('{ me { email } }', { token })).body.data!.me.email).toBe(email);

      await own.close();
      refused(await second.query('{ me { email } }', { token }));
      expect((await second.query(JOBS, { token: employerToken })).status).toBe(200);
      expect(second.system.gateway.audit!.metrics().failedBatches).toBeGreaterThan(0);
    } finally {
      await second.close();
      await own.close().catch(() => {});
    }
  });
});
