// The employers and marketing sides of the data-subject contract, through their GraphQL operations on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { findValues, markSubject, rowsAbout, snapshot, subjectTables, type SubjectTableRef } from '../subgraphs/common/data-subject.testing.ts';
import { caller, candidateId, CANDIDATE_COUNT, createFixtureDatabase, runner } from '../subgraphs/common/test-fixture.ts';
import { employersSubgraph } from '../subgraphs/employers/index.ts';
import { marketingSubgraph } from '../subgraphs/marketing/index.ts';

const EXPORT = /* GraphQL */ `query ($id: ID!) { _dataSubjectExport(subjectId: $id) { subjectId subgraph collections { name rowCount rows } } }`;
const ERASE = /* GraphQL */ `mutation ($id: ID!) { _dataSubjectErase(subjectId: $id) { subgraph erased { collection action rows } kept { collection } } }`;

for (const [schema, definition] of [
  ['employers', employersSubgraph()],
  ['marketing', marketingSubgraph()],
] as const) {
  describe(`data-subject contract (${schema})`, () => {
    let handle: DatabaseHandle;
    let run: ReturnType<typeof runner>['run'];
    let tables: SubjectTableRef[];
    let subject: string;

    beforeAll(async () => {
      handle = await createFixtureDatabase();
      ({ run } = runner(definition, handle));
      tables = await subjectTables(handle.db, [schema]);
      // The fixture candidate with the most rows in this subgraph.
      let most = -1;
      for (let n = 0; n < CANDIDATE_COUNT; n++) {
        let count = 0;
        for (const table of tables) count += (await rowsAbout(handle.db, table, candidateId(n))).length;
        if (count > most) [most, subject] = [count, candidateId(n)];
      }
      expect(most).toBeGreaterThan(0);
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('exports every row about the subject in every table of the schema that names a subject', async () => {
      const result = await run(EXPORT, caller('candidate', { sub: subject }), { id: subject });
      expect(result.errors).toBeUndefined();
      const collections = new Map<string, { rowCount: number; rows: string }>(
        result.data?._dataSubjectExport.collections.map((c: { name: string; rowCount: number; rows: string }) => [c.name, c]),
      );
      expect([...collections.keys()].sort()).toEqual(tables.map((t) => `${t.schema}.${t.table}`).sort());
      for (const table of tables) {
        const expected = await rowsAbout(handle.db, table, subject);
        const served = collections.get(`${table.schema}.${table.table}`)!;
        expect(served.rowCount).toBe(expected.length);
        expect(JSON.parse(served.rows)).toEqual(expected);
      }
    });

    it('refuses anyone but the subject and compliance', async () => {
      const before = await snapshot(handle.db, [schema]);
      for (const who of [caller('candidate', { sub: candidateId(1) === subject ? candidateId(2) : candidateId(1) }), caller('support'), caller('analyst')]) {
        const result = await run(ERASE, who, { id: subject });
        expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      expect((await run(EXPORT, caller('compliance'), { id: 'not-a-uuid' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await snapshot(handle.db, [schema])).toEqual(before);
    });

    it('erases the subject only, leaves none of its values in the schema, and is idempotent', async () => {
      const values = await markSubject(handle.db, tables, subject);
      // The employers subgraph keeps the subject's applications anonymised: those rows stay, with no link back.
      const anonymised = schema === 'employers' ? (await rowsAbout(handle.db, tables.find((t) => t.table === 'applications')!, subject)).map((r) => r.id as string) : [];
      const withoutAnonymised = (snap: Record<string, string[]>) =>
        Object.fromEntries(Object.entries(snap).map(([name, rows]) => [name, name === 'employers.applications' ? rows.filter((r) => !anonymised.includes(JSON.parse(r).id)) : rows]));
      const others = await snapshot(handle.db, ['users', 'employers', 'marketing', 'privacy'], { subjectId: subject, subjects: tables });
      const first = await run(ERASE, caller('compliance'), { id: subject });
      expect(first.errors).toBeUndefined();
      expect(first.data?._dataSubjectErase.erased.reduce((n: number, s: { rows: number }) => n + s.rows, 0)).toBeGreaterThan(0);
      for (const table of tables) expect(await rowsAbout(handle.db, table, subject)).toEqual([]);
      expect(await findValues(handle.db, [schema], values)).toEqual([]);
      expect(withoutAnonymised(await snapshot(handle.db, ['users', 'employers', 'marketing', 'privacy'], { subjectId: subject, subjects: tables }))).toEqual(others);
      if (schema === 'employers') {
        expect(anonymised.length).toBeGreaterThan(0);
        expect(first.data?._dataSubjectErase.erased).toEqual([{ collection: 'employers.applications', action: 'ANONYMISED', rows: anonymised.length }]);
        expect(first.data?._dataSubjectErase.kept).toEqual([{ collection: 'employers.applications' }]);
        const kept = await snapshot(handle.db, ['employers']);
        const rows = kept['employers.applications']!.map((r) => JSON.parse(r)).filter((r) => anonymised.includes(r.id));
        expect(rows).toHaveLength(anonymised.length);
        // No candidate id of the subject, no cover letter, and not even one id shared between them.
        expect(rows.every((r) => r.candidate_id !== subject && r.cover_letter === null)).toBe(true);
        expect(new Set(rows.map((r) => r.candidate_id)).size).toBe(rows.length);
      }
      const again = await run(ERASE, caller('candidate', { sub: subject }), { id: subject });
      expect(again.data?._dataSubjectErase.erased.every((s: { rows: number }) => s.rows === 0)).toBe(true);
    });
  });
}
