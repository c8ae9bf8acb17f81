// The writer and the log on a real database: group commit, the hash chain, signed checkpoints, the append-only
// triggers, bulk provision records, and failing closed when the database refuses or hangs.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { accessLog, accessLogCheckpoints, provisionRecords } from '../db/schema/audit.ts';
import { createEphemeralKeys } from '../gateway/keys.ts';
import { holdAccessLog, refusal } from '../test/audit-helpers.ts';
import { openTestDatabase } from '../test/database.ts';
import type { AuditEntry } from './chain.ts';
import type { Provision } from './provision.ts';
import { verifyAccessLog } from './verify.ts';
import { createAuditWriter, type AuditWriter } from './writer.ts';

const SUBJECT = '5b000000-0000-4000-8000-000000000001';
const EMPLOYER = 'e1000000-0000-4000-8000-000000000001';

function entry(n: number): AuditEntry {
  return {
    event: 'FIELD_ACCESS',
    occurredAt: new Date(Date.UTC(2026, 11, 3, 6, 0, 0, n)),
    requestId: randomUUID(),
    callerSub: 'caller-1',
    role: 'employer',
    org: EMPLOYER,
    purpose: 'EMPLOYER_DISCLOSURE',
    legalBasis: null,
    operationName: `Page${n}`,
    operationType: 'query',
    documentHash: 'ab'.repeat(32),
    outcome: 'RELEASED',
    released: ['Candidate.fullName'],
    masked: [{ coordinate: 'Candidate.birthDate', strategy: 'AGE_BAND' }],
    withheld: { 'Candidate.email': ['NO_CONSENT'] },
    subjects: [SUBJECT],
    detail: { note: '令和8年', epsilon: 0.1 },
  };
}

function provision(at: Date, requestId = randomUUID()): Provision {
  return {
    at,
    recipient: { kind: 'EMPLOYER', id: EMPLOYER },
    subjectId: SUBJECT,
    items: ['Candidate.fullName'],
    categories: ['NAME'],
    basis: { kind: 'CONSENT', consentEventId: 42 },
    requestId,
  };
}

const open: { handle: DatabaseHandle; writers: AuditWriter[] }[] = [];
afterEach(async () => {
  for (const { handle, writers } of open.splice(0)) {
    await Promise.allSettled(writers.map((w) => w.close()));
    await handle.close().catch(() => {});
  }
});

async function setup(options: Partial<Parameters<typeof createAuditWriter>[0]> = {}) {
  const handle = await openTestDatabase();
  const keys = await createEphemeralKeys();
  const writer = createAuditWriter({ db: handle.db, checkpointKey: keys.audit, ...options });
  open.push({ handle, writers: [writer] });
  return { handle, keys, writer, jwks: keys.audit.jwks };
}

const sqlRaw = (handle: DatabaseHandle, text: string) => handle.db.execute(sql.raw(text));

describe('the audit writer', () => {
  it('commits concurrent records in few batches as one gap-free chain that verifies', async () => {
    const { handle, writer, jwks } = await setup();
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.record(entry(i))));
    const metrics = writer.metrics();
    expect(metrics.rows).toBe(200);
    expect(metrics.batches).toBeLessThan(20);
    expect(metrics.batchSize.max).toBeGreaterThan(10);
    await writer.close();
    const rows = await handle.db.select().from(accessLog).where(eq(accessLog.chainId, writer.chainId)).orderBy(accessLog.seq);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const marks = await handle.db.select().from(accessLogCheckpoints).where(eq(accessLogCheckpoints.chainId, writer.chainId));
    expect(marks.some((m) => m.seq === 0)).toBe(true);
    expect(marks.find((m) => m.final)?.seq).toBe(200);
    const report = await verifyAccessLog(handle.db, { jwks });
    expect(report).toEqual({ ok: true, chains: 1, rows: 200, checkpoints: marks.length });
    // Another key's JWKS does not verify these checkpoints.
    const other = await createEphemeralKeys();
    expect((await verifyAccessLog(handle.db, { jwks: other.audit.jwks })).ok).toBe(false);
  });

  it('refuses new records after close and drains what was queued', async () => {
    const { handle, writer } = await setup({ batchWindowMs: 50 });
    const pending = Array.from({ length: 30 }, (_, i) => writer.record(entry(i)));
    await writer.close();
    await Promise.all(pending);
    await expect(writer.record(entry(99))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    const [row] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(accessLog);
    expect(row?.n).toBe(30);
  });

  it('detects an altered row, a deleted row and a cut tail (triggers disabled as a superuser would)', async () => {
    for (const attack of ['alter', 'delete', 'truncate-tail'] as const) {
      const { handle, writer, jwks } = await setup({ checkpointIntervalMs: 60_000 });
      for (let i = 0; i < 10; i++) await writer.record(entry(i));
      await writer.flush();
      await sqlRaw(handle, 'alter table privacy.access_log disable trigger access_log_append_only');
      const where = `chain_id = '${writer.chainId}'`;
      if (attack === 'alter') await sqlRaw(handle, `update privacy.access_log set purpose = 'SUPPORT' where ${where} and seq = 4`);
      if (attack === 'delete') await sqlRaw(handle, `delete from privacy.access_log where ${where} and seq = 6`);
      if (attack === 'truncate-tail') await sqlRaw(handle, `delete from privacy.access_log where ${where} and seq > 7`);
      await sqlRaw(handle, 'alter table privacy.access_log enable trigger access_log_append_only');
      const report = await verifyAccessLog(handle.db, { jwks });
      expect(report.ok, attack).toBe(false);
      if (report.ok) continue;
      const expected = { alter: [4, /altered/], delete: [6, /deleted/], 'truncate-tail': [8, /tail cut/] } as const;
      expect(report.seq, attack).toBe(expected[attack][0]);
      expect(report.problem, attack).toMatch(expected[attack][1]);
      await writer.close();
      await handle.close();
      open.pop();
    }
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of the log and its checkpoints', async () => {
    const { handle, writer } = await setup();
    await writer.record(entry(1));
    await writer.flush();
    for (const statement of [
      'update privacy.access_log set purpose = null',
      'delete from privacy.access_log',
      'truncate privacy.access_log',
      'update privacy.access_log_checkpoints set hash = hash',
      'delete from privacy.access_log_checkpoints',
      'truncate privacy.access_log_checkpoints',
    ]) {
      expect(await refusal(sqlRaw(handle, statement)), statement).toMatch(/append-only/);
    }
  });

  it('records the first provision of a day before the response and counts repeats into the same bulk record', async () => {
    const { handle, writer } = await setup();
    const at = new Date('2026-12-03T01:00:00Z');
    await Promise.all([writer.record(entry(1), [provision(at)]), writer.record(entry(2), [provision(at)])]);
    const first = await handle.db.select().from(provisionRecords);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ providedOn: '2026-12-03', recipientId: EMPLOYER, subjectId: SUBJECT, consentEventId: 42, provisionCount: 2 });
    for (let i = 0; i < 5; i++) await writer.record(entry(3 + i), [provision(new Date(at.getTime() + i * 1000))]);
    // Repeats are counted in the process, not written per request.
    expect((await handle.db.select().from(provisionRecords))[0]!.provisionCount).toBe(2);
    expect(writer.metrics().pendingRepeats).toBe(5);
    await writer.flush();
    const [record] = await handle.db.select().from(provisionRecords);
    expect(record!.provisionCount).toBe(7);
    expect(record!.lastProvidedAt.toISOString()).toBe('2026-12-03T01:00:04.000Z');
    // The next day (Japan time) is a new record.
    await writer.record(entry(9), [provision(new Date('2026-12-03T15:00:00Z'))]);
    expect((await handle.db.select().from(provisionRecords)).map((r) => r.providedOn).sort()).toEqual(['2026-12-03', '2026-12-04']);
  });

  it('the database lets only the count and last provision of a record change, forward, and keeps it 3 years', async () => {
    const { handle, writer } = await setup();
    await writer.record(entry(1), [provision(new Date())]);
    expect(await refusal(sqlRaw(handle, "update privacy.provision_records set items = '{Candidate.email}'"))).toMatch(/only provision_count/);
    expect(await refusal(sqlRaw(handle, 'update privacy.provision_records set consent_event_id = 1'))).toMatch(/only provision_count/);
    expect(await refusal(sqlRaw(handle, 'update privacy.provision_records set provision_count = 0'))).toMatch(/only forward/);
    await sqlRaw(handle, 'update privacy.provision_records set provision_count = provision_count + 1');
    expect(await refusal(sqlRaw(handle, 'delete from privacy.provision_records'))).toMatch(/kept 3 years/);
    expect(await refusal(sqlRaw(handle, 'truncate privacy.provision_records'))).toMatch(/append-only/);
    // A record past its 3 years may go (the retention job's): made old with the guard off, as a test only can.
    await sqlRaw(handle, 'alter table privacy.provision_records disable trigger provision_records_guard');
    await sqlRaw(handle, "update privacy.provision_records set last_provided_at = now() - interval '3 years 1 day'");
    await sqlRaw(handle, 'alter table privacy.provision_records enable trigger provision_records_guard');
    await sqlRaw(handle, 'delete from privacy.provision_records');
    expect(await handle.db.select().from(provisionRecords)).toEqual([]);
  });

  it('fails closed with AUDIT_UNAVAILABLE when inserts are refused, and continues the chain once they are not', async () => {
    const { handle, writer, jwks } = await setup();
    await writer.record(entry(1));
    await sqlRaw(handle, "create function privacy.test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused'; end; $$");
    await sqlRaw(handle, 'create trigger test_refuse before insert on privacy.access_log for each row execute function privacy.test_refuse()');
    await expect(writer.record(entry(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE', httpStatus: 503 });
    expect(writer.metrics().failedBatches).toBe(1);
    await sqlRaw(handle, 'drop trigger test_refuse on privacy.access_log');
    await sqlRaw(handle, 'drop function privacy.test_refuse()');
    await writer.record(entry(3));
    await writer.close();
    expect(await verifyAccessLog(handle.db, { jwks })).toMatchObject({ ok: true, rows: 2 });
  });

  it('refuses an entry that has no canonical form alone, without failing the others of its batch', async () => {
    const { writer } = await setup({ batchWindowMs: 20 });
    const results = await Promise.allSettled([writer.record(entry(1)), writer.record({ ...entry(2), callerSub: 'bad \ud800' }), writer.record(entry(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writer.metrics()).toMatchObject({ rows: 2, failedBatches: 0 });
  });

  it('fails closed within the commit timeout when the database hangs', async () => {
    const { handle, writer } = await setup({ commitTimeoutMs: 150 });
    await writer.record(entry(1));
    const hang = holdAccessLog(handle, 1000);
    const started = Date.now();
    await expect(writer.record(entry(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(800);
    expect(writer.metrics().timeouts).toBe(1);
    await hang;
  });
});
