// Statements prepared once per database: the same rows, in the same order and with the same types, as the same select built per call.
import { asc, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { consents } from '../../db/schema/privacy.ts';
import { addresses, candidates, workHistory } from '../../db/schema/users.ts';
import { openTestDatabase } from '../../test/database.ts';
import { idsIn, preparedByIds, uuidIn } from './sql.ts';

let handle: DatabaseHandle;
let ids: string[];

beforeAll(async () => {
  handle = await openTestDatabase();
  const rows = await handle.db.select({ id: candidates.id }).from(candidates).orderBy(asc(candidates.id)).limit(200);
  ids = rows.map((r) => r.id);
});
afterAll(async () => {
  await handle?.close();
});

const candidatesById = preparedByIds('test_candidates_by_id', (db) => db.select().from(candidates).where(idsIn(candidates.id)));
const workHistoryByCandidate = preparedByIds('test_work_history_by_candidate', (db) =>
  db.select().from(workHistory).where(idsIn(workHistory.candidateId)).orderBy(desc(workHistory.startedOn), asc(workHistory.id)),
);
const consentsBySubject = preparedByIds('test_consents_by_subject', (db) =>
  db
    .select()
    .from(consents)
    .where(idsIn(consents.subjectId))
    .orderBy(asc(consents.subjectId), asc(consents.purpose), sql`${consents.recipientId} asc nulls first`),
);

describe('preparedByIds', () => {
  it('returns exactly the rows of the same select built per call, nulls, arrays, dates and timestamps included', async () => {
    const prepared = await candidatesById(handle.db, ids);
    const built = await handle.db.select().from(candidates).where(uuidIn(candidates.id, ids));
    const byId = (rows: typeof built) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(prepared).toHaveLength(ids.length);
    expect(byId(prepared)).toEqual(byId(built));
    // The comparison covers every kind of value the table holds.
    expect(prepared.some((r) => r.phone === null)).toBe(true);
    expect(prepared.some((r) => r.phone !== null)).toBe(true);
    expect(prepared.every((r) => r.createdAt instanceof Date && Array.isArray(r.desiredIndustries))).toBe(true);
    expect(prepared.some((r) => typeof r.birthDate === 'string')).toBe(true);
    expect(Object.keys(prepared[0]!)).toEqual(Object.keys(built[0]!));
  });

  it('keeps the statement order and every row of a group', async () => {
    const prepared = await workHistoryByCandidate(handle.db, ids);
    const built = await handle.db
      .select()
      .from(workHistory)
      .where(uuidIn(workHistory.candidateId, ids))
      .orderBy(desc(workHistory.startedOn), asc(workHistory.id));
    expect(prepared.length).toBeGreaterThan(ids.length / 2);
    expect(prepared).toEqual(built);
    expect(prepared.some((r) => r.endedOn === null)).toBe(true);

    const consentRows = await consentsBySubject(handle.db, ids);
    expect(consentRows.some((r) => r.recipientId === null) && consentRows.some((r) => r.recipientId !== null)).toBe(true);
    expect(consentRows).toEqual(
      await handle.db
        .select()
        .from(consents)
        .where(uuidIn(consents.subjectId, ids))
        .orderBy(asc(consents.subjectId), asc(consents.purpose), sql`${consents.recipientId} asc nulls first`),
    );
  });

  it('answers each call with its own ids, and nothing for ids without rows', async () => {
    const [first, second] = [ids.slice(0, 3), ids.slice(3, 5)];
    expect((await candidatesById(handle.db, first)).map((r) => r.id).sort()).toEqual([...first].sort());
    expect((await candidatesById(handle.db, second)).map((r) => r.id).sort()).toEqual([...second].sort());
    expect(await candidatesById(handle.db, ['00000000-0000-4000-8000-000000000000'])).toEqual([]);
  });

  it('maps selections that are not plain columns of one table: joins, nested objects, mapped sql', async () => {
    const shaped = preparedByIds('test_candidate_shapes', (db) =>
      db
        .select({ id: candidates.id, created: candidates.createdAt, address: { city: addresses.city }, one: sql<number>`1`.mapWith(Number) })
        .from(candidates)
        .innerJoin(addresses, eq(addresses.candidateId, candidates.id))
        .where(idsIn(candidates.id))
        .orderBy(asc(candidates.id)),
    );
    const rows = await shaped(handle.db, ids.slice(0, 5));
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.one).toBe(1);
      expect(typeof row.address.city).toBe('string');
      expect(row.created).toBeInstanceOf(Date);
    }
  });

  it('prepares once per database: another database gets its own statement', async () => {
    const other = await openTestDatabase();
    try {
      const gone = ids[0]!;
      await other.db.delete(candidates).where(eq(candidates.id, gone));
      expect(await candidatesById(other.db, [gone])).toEqual([]);
      expect((await candidatesById(handle.db, [gone])).map((r) => r.id)).toEqual([gone]);
    } finally {
      await other.close();
    }
  });
});
