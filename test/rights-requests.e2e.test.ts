// Data-subject requests and the staff workflow end to end: support files a request after identity verification,
// compliance follows the queue and the overdue requests, everyone else is refused, bad input writes nothing, and every
// request (whichever module filed it) is in the access log.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileRequest, readRequest } from '../ledger/requests.ts';
import { rowsOf } from '../subgraphs/common/data-subject.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const FIELDS = 'id kind subjectId status filedBy receivedAt dueAt overdue items steps { name status }';
const FILE = `mutation($s: ID!, $k: DataSubjectRequestKind!, $v: String!) { fileDataSubjectRequest(subjectId: $s, kind: $k, verification: $v) { ${FIELDS} } }`;
const QUEUE = `query($status: DataSubjectRequestStatus, $overdue: Boolean, $first: Int, $after: String) {
  dataSubjectRequests(status: $status, overdue: $overdue, first: $first, after: $after) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;

let t: TestSystem;
let subjects: string[];
let support: string;
let compliance: string;

beforeAll(async () => {
  t = await startTestSystem({ gateway: { dataSubjectRights: { intervalMs: 100 } } });
  subjects = rowsOf<{ id: string }>(await t.db.db.execute(sql`select id::text as id from users.candidates order by id limit 5`)).map((r) => r.id);
  [support, compliance] = await Promise.all([t.token({ role: 'support' }), t.token({ role: 'compliance' })]);
});

afterAll(async () => {
  await t?.close();
});

async function requestCount(): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(await t.db.db.execute(sql`select count(*) as n from privacy.dsr_requests`));
  return Number(row!.n);
}

describe('staff filing', () => {
  it('refuses bad input with a clear error naming the argument, and writes nothing', async () => {
    const before = await requestCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ s: subjects[0], k: 'EXPORT', v: '' }, 'verification'],
      [{ s: subjects[0], k: 'EXPORT', v: '  x ' }, 'verification'],
      [{ s: subjects[0], k: 'EXPORT', v: 'x'.repeat(201) }, 'verification'],
      [{ s: subjects[0], k: 'EXPORT', v: 'ticket <script>' }, 'verification'],
      [{ s: 'not-a-uuid', k: 'ERASURE', v: 'ID check 2026-12-03 #4411' }, 'subjectId'],
      [{ s: subjects[0], k: 'CORRECTION', v: 'ID check 2026-12-03 #4411' }, 'kind'],
    ];
    for (const [variables, argument] of cases) {
      const r = await t.query(FILE, { token: support, purpose: 'IDENTITY_VERIFICATION', variables });
      expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(r.body)).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.extensions?.argument).toBe(argument);
      expect(r.body.errors?.[0]?.message).toContain(argument);
      // The message never repeats what was sent.
      expect(r.body.errors?.[0]?.message).not.toContain('<script>');
    }
    const unknown = await t.query(FILE, { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { s: crypto.randomUUID(), k: 'EXPORT', v: 'ID check #1' } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await requestCount()).toBe(before);
  });

  it('is for support or compliance under IDENTITY_VERIFICATION only', async () => {
    const before = await requestCount();
    const variables = { s: subjects[0], k: 'EXPORT', v: 'ID check #1' };
    const refused = [
      [support, 'SUPPORT'],
      [await t.token({ role: 'candidate', sub: subjects[0] }), 'SERVICE_PROVISION'],
      [await t.token({ role: 'employer', org: crypto.randomUUID() }), 'EMPLOYER_DISCLOSURE'],
      [await t.token({ role: 'marketer' }), 'MARKETING'],
    ] as const;
    for (const [token, purpose] of refused) {
      const r = await t.query(FILE, { token, purpose, variables });
      expect(r.body.errors?.[0]?.extensions?.code, `${purpose}: ${JSON.stringify(r.body)}`).toBe('FORBIDDEN');
    }
    // The candidate's own mutations are the candidate's.
    for (const mutation of ['requestMyDataExport', 'deleteMyAccount']) {
      const r = await t.query(`mutation { ${mutation} { id } }`, { token: support, purpose: 'SUPPORT' });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await requestCount()).toBe(before);
  });

  it('files EXPORT and ERASURE on the subject\'s behalf with the verification stored, once while open', async () => {
    const filed = await t.query(FILE, { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { s: subjects[1], k: 'EXPORT', v: 'Residence card checked, ticket #4411' } });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const request = filed.body.data!.fileDataSubjectRequest;
    expect(request).toMatchObject({ kind: 'EXPORT', subjectId: subjects[1], status: 'RECEIVED', filedBy: 'support', overdue: false });
    expect(Date.parse(request.dueAt) - Date.parse(request.receivedAt)).toBe(14 * 24 * 3600 * 1000);
    expect((await readRequest(t.db.db, request.id))!.verification).toBe('Residence card checked, ticket #4411');
    const again = await t.query(FILE, { token: support, purpose: 'IDENTITY_VERIFICATION', variables: { s: subjects[1], k: 'EXPORT', v: 'another ticket #4412' } });
    expect(again.body.data!.fileDataSubjectRequest.id).toBe(request.id);
    // The candidate sees it among their own.
    const mine = await t.query('{ myDataSubjectRequests { id filedBy } }', { token: await t.token({ role: 'candidate', sub: subjects[1] }) });
    expect(mine.body.data!.myDataSubjectRequests).toContainEqual({ id: request.id, filedBy: 'support' });
    const erasure = await t.query(FILE, { token: compliance, purpose: 'IDENTITY_VERIFICATION', variables: { s: subjects[2], k: 'ERASURE', v: 'Passport seen at the counter #77' } });
    expect(erasure.body.data!.fileDataSubjectRequest).toMatchObject({ kind: 'ERASURE', filedBy: 'compliance' });
    expect(erasure.body.data!.fileDataSubjectRequest.steps.map((s: { name: string }) => s.name)).toEqual(['marketing', 'employers', 'users']);
  });
});

describe('the queue', () => {
  it('shows compliance the open requests and the overdue ones, page by page', async () => {
    const old = new Date(Date.now() - 20 * 24 * 3600 * 1000);
    const overdue = await t.db.db.transaction((tx) =>
      fileRequest(tx, { kind: 'EXPORT', subjectId: subjects[3]!, filedBy: subjects[3]!, filedByRole: 'candidate', steps: ['users', 'employers', 'marketing'], at: old }),
    );
    const r = await t.query(QUEUE, { token: compliance, purpose: 'INTERNAL_AUDIT', variables: { overdue: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const nodes = r.body.data!.dataSubjectRequests.nodes as { id: string; overdue: boolean }[];
    expect(nodes.map((n) => n.id)).toContain(overdue.id);
    expect(nodes.every((n) => n.overdue)).toBe(true);

    const one = await t.query(`query($id: ID!) { dataSubjectRequest(id: $id) { id overdue status } }`, { token: compliance, purpose: 'INTERNAL_AUDIT', variables: { id: overdue.id } });
    expect(one.body.data!.dataSubjectRequest).toEqual({ id: overdue.id, overdue: true, status: 'RECEIVED' });

    // Every open request, one per page, the earliest deadline first: the overdue one leads.
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const p = await t.query(QUEUE, { token: compliance, purpose: 'INTERNAL_AUDIT', variables: { status: 'RECEIVED', first: 1, after } });
      const { nodes: pageNodes, pageInfo } = p.body.data!.dataSubjectRequests;
      seen.push(...pageNodes.map((n: { id: string }) => n.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen[0]).toBe(overdue.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2);

    // Staff reading the queue is itself in the access log, with the subjects they saw.
    const [read] = rowsOf<{ n: number | string }>(
      await t.db.db.execute(sql`select count(*) as n from privacy.access_log where event = 'FIELD_ACCESS' and role = 'compliance' and 'DataSubjectRequest.subjectId' = any(released) and ${subjects[3]} = any(subjects)`),
    );
    expect(Number(read!.n)).toBeGreaterThan(0);

    const bad = await t.query(QUEUE, { token: compliance, purpose: 'INTERNAL_AUDIT', variables: { after: 'nonsense' } });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is compliance\'s under INTERNAL_AUDIT only', async () => {
    for (const [token, purpose] of [
      [support, 'IDENTITY_VERIFICATION'],
      [compliance, 'SUPPORT'],
      [await t.token({ role: 'candidate', sub: subjects[0] }), 'SERVICE_PROVISION'],
    ] as const) {
      const r = await t.query(QUEUE, { token, purpose });
      expect(r.body.errors?.[0]?.extensions?.code, purpose).toBe('FORBIDDEN');
    }
    // A candidate reads their own request by id, not someone else's.
    const [other] = rowsOf<{ id: string }>(await t.db.db.execute(sql`select id::text as id from privacy.dsr_requests where subject_id <> ${subjects[0]}::uuid limit 1`));
    const r = await t.query(`query($id: ID!) { dataSubjectRequest(id: $id) { id } }`, { token: await t.token({ role: 'candidate', sub: subjects[0] }), variables: { id: other!.id } });
    expect(r.body.data?.dataSubjectRequest).toBeNull();
  });
});

describe('the access log', () => {
  it('records every request, including those another module files completed, with the subject and no value', async () => {
    // As the correction and restriction mutations file theirs: completed in the transaction that carries them out.
    const correction = await t.db.db.transaction((tx) =>
      fileRequest(tx, { kind: 'CORRECTION', subjectId: subjects[4]!, filedBy: subjects[4]!, filedByRole: 'candidate', status: 'COMPLETED', detail: { coordinates: ['Candidate.phone'] } }),
    );
    await t.system.gateway.dataSubjectRights!.runOnce();
    const unlogged = rowsOf<{ id: string }>(await t.db.db.execute(sql`select id::text as id from privacy.dsr_requests where logged_at is null`));
    expect(unlogged).toEqual([]);
    const all = rowsOf<{ id: string; status: string }>(await t.db.db.execute(sql`select id::text as id, status::text as status from privacy.dsr_requests`));
    for (const request of all) {
      const events = rowsOf<{ subjects: string[]; detail: Record<string, unknown>; event: string }>(
        await t.db.db.execute(sql`select subjects, detail, event from privacy.access_log where event = 'DATA_SUBJECT_REQUEST' and detail->>'requestId' = ${request.id} and detail->>'status' = ${request.status}`),
      );
      expect(events.length, request.id).toBeGreaterThanOrEqual(1);
    }
    const [entry] = rowsOf<{ subjects: string[]; detail: Record<string, unknown>; role: string; caller_sub: string; outcome: string }>(
      await t.db.db.execute(sql`select subjects, detail, role, caller_sub, outcome from privacy.access_log where detail->>'requestId' = ${correction.id}`),
    );
    // A request's state releases nothing: it is RECORDED.
    expect(entry).toMatchObject({ subjects: [subjects[4]], role: 'candidate', caller_sub: subjects[4], outcome: 'RECORDED' });
    expect(entry!.detail).toMatchObject({ requestId: correction.id, kind: 'CORRECTION', status: 'COMPLETED', steps: [] });
    // The verification reference stays with the request, out of the log.
    expect(JSON.stringify(await t.db.db.execute(sql`select detail from privacy.access_log where event = 'DATA_SUBJECT_REQUEST'`))).not.toContain('ticket #4411');
  });
});
