// Leaving the service end to end (APPI Art. 35): deleteMyAccount through the gateway, the erasure orchestrator calling
// every subgraph's contract in order, a scan of every column of every table for the subject's values afterwards, what
// must stay staying, a subgraph that is down while the erasure runs, and a subject under legal hold.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { setLegalHold } from '../ledger/holds.ts';
import { fileRequest } from '../ledger/requests.ts';
import { findValues, markSubject, PROJECT_SCHEMAS, subjectTables } from '../subgraphs/common/data-subject.testing.ts';
import { rowsOf } from '../subgraphs/common/data-subject.ts';
import { startSubgraph } from '../subgraphs/common/server.ts';
import { useDataSubjectRights } from '../gateway/plugins/data-subject-rights/index.ts';
import { employersSubgraph } from '../subgraphs/employers/index.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const REQUEST_FIELDS = 'id kind subjectId status filedBy completedAt overdue denialReason steps { name status attempts lastError doneAt } kept { collection rows reason }';

let t: TestSystem;

beforeAll(async () => {
  // A short interval and backoff, so a retried step runs within the test's patience.
  t = await startTestSystem({ gateway: { dataSubjectRights: { intervalMs: 100, maxBackoffMs: 200 } } });
});

afterAll(async () => {
  await t?.close();
});

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(await t.db.db.execute(query));
  return Number(row?.n ?? 0);
}

/** Seeded candidates with an application and a marketing row (the richest subjects), other than `except`. */
async function richCandidates(except: string[]): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(
    await t.db.db.execute(sql`
      select c.id::text as id from users.candidates c
      where exists (select 1 from employers.applications a where a.candidate_id = c.id)
        and exists (select 1 from marketing.ad_identifiers m where m.candidate_id = c.id)
        and exists (select 1 from users.resumes r where r.candidate_id = c.id)
      order by c.id limit 10`),
  );
  return rows.map((r) => r.id).filter((id) => !except.includes(id));
}

async function myRequests(token: string) {
  const r = await t.query(`{ myDataSubjectRequests { ${REQUEST_FIELDS} } }`, { token, purpose: 'SERVICE_PROVISION' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.data!.myDataSubjectRequests as any[];
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met in time: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function subjectMarked(subject: string) {
  const tables = await subjectTables(t.db.db, ['users', 'employers', 'marketing'], [{ schema: 'users', table: 'candidates', column: 'id' }]);
  return markSubject(t.db.db, tables, subject);
}

describe('deleteMyAccount', () => {
  it('erases every personal value of the subject in every table, keeps the provision records and ledger rows, and says why', async () => {
    const subject = DEMO_IDS.candidate;
    const values = await subjectMarked(subject);
    expect(values.length).toBeGreaterThan(15);
    // The seeded values are there before (the scan can find them).
    expect((await findValues(t.db.db, PROJECT_SCHEMAS, values)).length).toBeGreaterThan(0);
    const ledgerBefore = await count(sql`select count(*) as n from privacy.consent_events where subject_id = ${subject}::uuid`);
    const provisionsBefore = await count(sql`select count(*) as n from privacy.provision_records where subject_id = ${subject}::uuid`);
    const accessBefore = await count(sql`select count(*) as n from privacy.access_log where ${subject} = any(subjects)`);
    const applications = await count(sql`select count(*) as n from employers.applications`);
    const own = await count(sql`select count(*) as n from employers.applications where candidate_id = ${subject}::uuid`);
    expect(own).toBeGreaterThan(0);

    const token = await t.token({ role: 'candidate', sub: subject });
    const filed = await t.query(`mutation { deleteMyAccount { ${REQUEST_FIELDS} } }`, { token });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const request = filed.body.data!.deleteMyAccount;
    expect(request).toMatchObject({ kind: 'ERASURE', subjectId: subject, filedBy: 'SUBJECT', overdue: false });
    expect(request.steps.map((s: { name: string }) => s.name)).toEqual(['marketing', 'employers', 'users']);
    // Idempotent while it is open (or already done, if the orchestrator was quicker): never a second request.
    const again = await t.query('mutation { deleteMyAccount { id } }', { token });
    if (again.status === 200) expect(again.body.data!.deleteMyAccount.id).toBe(request.id);
    else expect(again.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const [done] = await waitFor(() => myRequests(token), (rows) => rows[0]?.status === 'COMPLETED');
    expect(done.id).toBe(request.id);
    expect(done.steps.every((s: { status: string; doneAt: string | null }) => s.status === 'DONE' && s.doneAt)).toBe(true);
    expect(done.completedAt).toBeTruthy();

    expect(await findValues(t.db.db, PROJECT_SCHEMAS, values)).toEqual([]);
    // What must stay stays: the consent ledger (grown by the withdrawals), the provision records, the access log.
    expect(await count(sql`select count(*) as n from privacy.consent_events where subject_id = ${subject}::uuid`)).toBeGreaterThanOrEqual(ledgerBefore);
    expect(ledgerBefore).toBeGreaterThan(0);
    expect(await count(sql`select count(*) as n from privacy.provision_records where subject_id = ${subject}::uuid`)).toBe(provisionsBefore);
    expect(await count(sql`select count(*) as n from privacy.access_log where ${subject} = any(subjects)`)).toBeGreaterThanOrEqual(accessBefore);
    // No consent of theirs stands any more.
    expect(await count(sql`select count(*) as n from privacy.consents where subject_id = ${subject}::uuid and state = 'GRANTED'`)).toBe(0);
    // The applications the employer keeps carry no link back to the person.
    expect(await count(sql`select count(*) as n from employers.applications where candidate_id = ${subject}::uuid`)).toBe(0);
    expect(await count(sql`select count(*) as n from employers.applications`)).toBe(applications);
    // The answer says what was kept and why.
    const kept = new Map<string, string>(done.kept.map((k: { collection: string; reason: string }) => [k.collection, k.reason]));
    expect(kept.get('privacy.consent_events')).toMatch(/evidence/);
    expect(kept.get('users.candidates')).toMatch(/tombstone/i);
    expect(kept.get('employers.applications')).toMatch(/anonymised/);
    if (provisionsBefore > 0) expect(kept.get('privacy.provision_records')).toMatch(/Art\. 29/);

    // The account has left: a new request is refused clearly; the request stays visible to the candidate.
    const after = await t.query('mutation { deleteMyAccount { id } }', { token });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(after.body.errors?.[0]?.message).toMatch(/left the service/);
    expect((await myRequests(token)).map((r) => r.id)).toContain(request.id);

    // Every state the request reached is in the access log, COMPLETED last, keyed by the subject id only.
    const events = await waitFor(
      async () =>
        rowsOf<{ status: string }>(
          await t.db.db.execute(
            sql`select detail->>'status' as status from privacy.access_log where event = 'DATA_SUBJECT_REQUEST' and detail->>'requestId' = ${request.id} and ${subject} = any(subjects) order by occurred_at, seq`,
          ),
        ).map((r) => r.status),
      (statuses) => statuses.includes('COMPLETED'),
    );
    expect(events[0]).toBe('RECEIVED');
    expect(events).toContain('IN_PROGRESS');
    expect(events.at(-1)).toBe('COMPLETED');
  });

  it('runs a request in one replica at a time: every step is attempted once', async () => {
    const [, , subject] = await richCandidates([DEMO_IDS.candidate]);
    // Two more replicas' orchestrators on the same database and subgraphs, started at the same moment.
    const replica = () =>
      useDataSubjectRights({
        db: t.db.db,
        subgraphUrls: Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, served]) => [name, served.url])),
        assertionKey: t.keys.assertion,
        bindingKey: t.keys.bindingKey,
        recordAccess: (entry) => t.system.gateway.audit!.record(entry),
        intervalMs: 60_000,
      });
    const replicas = [replica(), replica()];
    try {
      await t.db.db.transaction((tx) =>
        fileRequest(tx, { kind: 'ERASURE', subjectId: subject!, filedBy: 'support-7', filedByRole: 'support', verification: 'ID check #9', steps: ['marketing', 'employers', 'users'] }),
      );
      const calls = () => [t.system.subgraphs.marketing.requestCount, t.system.subgraphs.employers.requestCount];
      const before = calls();
      await Promise.all([...replicas.map((r) => r.runOnce()), t.system.gateway.dataSubjectRights!.runOnce()]);
      const token = await t.token({ role: 'candidate', sub: subject });
      const [done] = await waitFor(() => myRequests(token), (rows) => rows[0]?.status === 'COMPLETED');
      expect(done.steps.map((s: { attempts: number }) => s.attempts)).toEqual([1, 1, 1]);
      // Nothing else calls marketing or employers meanwhile: one erasure call each, not one per replica.
      expect(calls().map((n, i) => n - before[i]!)).toEqual([1, 1]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('completes a request interrupted by a subgraph that is down once the subgraph is back, never reported complete before', async () => {
    const [subject] = await richCandidates([DEMO_IDS.candidate]);
    const values = await subjectMarked(subject!);
    const employers = t.system.subgraphs.employers;
    const port = employers.port;
    await employers.close();
    let restarted: Awaited<ReturnType<typeof startSubgraph>> | null = null;
    try {
      const token = await t.token({ role: 'candidate', sub: subject });
      const filed = await t.query('mutation { deleteMyAccount { id status } }', { token });
      expect(filed.status, JSON.stringify(filed.body)).toBe(200);
      const id = filed.body.data!.deleteMyAccount.id as string;

      // Marketing done, employers failed (and retried), users not started: open, not completed.
      const [stuck] = await waitFor(() => myRequests(token), (rows) => rows[0]?.steps[1]?.attempts >= 2);
      expect(stuck.id).toBe(id);
      expect(stuck.status).toBe('IN_PROGRESS');
      expect(stuck.completedAt).toBeNull();
      expect(stuck.steps.map((s: { status: string }) => s.status)).toEqual(['DONE', 'FAILED', 'PENDING']);
      expect(stuck.steps[1].lastError).toBe('SUBGRAPH_UNAVAILABLE');
      // The profile is still there: erasure is never half-done in the wrong order.
      expect((await findValues(t.db.db, ['users'], values)).length).toBeGreaterThan(0);

      restarted = await startSubgraph(employersSubgraph(), { db: t.db.db, assertionJwks: t.keys.assertion.jwks, bindingKey: t.keys.bindingKey, port });
      const [done] = await waitFor(() => myRequests(token), (rows) => rows[0]?.status === 'COMPLETED');
      expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['DONE', 'DONE', 'DONE']);
      expect(await findValues(t.db.db, PROJECT_SCHEMAS, values)).toEqual([]);
    } finally {
      await restarted?.close();
    }
  });

  it('denies the erasure of a subject under legal hold, erasing nothing, and says why', async () => {
    const [, subject] = await richCandidates([DEMO_IDS.candidate]);
    const values = await subjectMarked(subject!);
    const before = await findValues(t.db.db, PROJECT_SCHEMAS, values);
    expect(before.length).toBeGreaterThan(10);
    await t.db.db.transaction((tx) => setLegalHold(tx, { subjectId: subject!, reference: 'Tokyo District Court 2026 (wa) 123', setBy: 'compliance-1' }));
    const token = await t.token({ role: 'candidate', sub: subject });
    const filed = await t.query('mutation { deleteMyAccount { id } }', { token });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const [denied] = await waitFor(() => myRequests(token), (rows) => rows[0]?.status === 'DENIED');
    expect(denied.denialReason).toBe('LEGAL_HOLD');
    expect(denied.steps.every((s: { status: string }) => s.status === 'PENDING')).toBe(true);
    expect(await findValues(t.db.db, PROJECT_SCHEMAS, values)).toEqual(before);
  });
});
