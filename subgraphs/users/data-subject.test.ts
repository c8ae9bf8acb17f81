import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionRow } from '../../audit/provision.ts';
import type { DatabaseHandle } from '../../db/client.ts';
import { provisionRecords } from '../../db/schema/audit.ts';
import { PROJECT_SCHEMAS, findValues, markSubject, rowsAbout, snapshot, subjectTables, type SubjectTableRef } from '../common/data-subject.testing.ts';
import { caller, candidateId, createFixtureDatabase, EMPLOYER_A, runner, type Run } from '../common/test-fixture.ts';
import { erasedEmail } from './data-subject.ts';
import { usersDataSubject } from './data-subject.ts';
import { usersSubgraph } from './index.ts';

const EXPORT = /* GraphQL */ `
  query ($id: ID!) { _dataSubjectExport(subjectId: $id) { subjectId subgraph collections { name categories rowCount rows } } }
`;
const ERASE = /* GraphQL */ `
  mutation ($id: ID!) { _dataSubjectErase(subjectId: $id) { subjectId subgraph erased { collection action rows } kept { collection rows reason } } }
`;

const CANDIDATES: SubjectTableRef = { schema: 'users', table: 'candidates', column: 'id' };
const STANDING: SubjectTableRef = { schema: 'privacy', table: 'subjects', column: 'subject_id' };
/** Candidate 0 has every kind of row: address, residence card, CV, work history and consents of each purpose. */
const SUBJECT = candidateId(0);
const ERASED_BY_COMPLIANCE = candidateId(10);
const self = (n: number) => caller('candidate', { sub: candidateId(n) });

let handle: DatabaseHandle;
let run: Run;

beforeAll(async () => {
  handle = await createFixtureDatabase();
  ({ run } = runner(usersSubgraph(), handle));
  // A provision of the subject's name to an employer (APPI Art. 29 record), as the gateway writes it.
  const provision = provisionRow({
    at: new Date(),
    recipient: { kind: 'EMPLOYER', id: EMPLOYER_A },
    subjectId: SUBJECT,
    items: ['Candidate.fullName'],
    categories: ['NAME'],
    basis: { kind: 'CONSENT', consentEventId: 1 },
    requestId: 'fixture',
  });
  await handle.db.insert(provisionRecords).values(provision);
});

afterAll(async () => {
  await handle?.close();
});

const collectionsOf = (data: Record<string, any> | null | undefined) =>
  new Map<string, { categories: string[]; rowCount: number; rows: Record<string, unknown>[] }>(
    (data?._dataSubjectExport.collections ?? []).map((c: { name: string; categories: string[]; rowCount: number; rows: string }) => [
      c.name,
      { categories: c.categories, rowCount: c.rowCount, rows: JSON.parse(c.rows) },
    ]),
  );

describe('_dataSubjectExport (users)', () => {
  it('lists every row about the subject in every users and consent table that names a subject', async () => {
    const result = await run(EXPORT, self(0), { id: SUBJECT.toUpperCase() });
    expect(result.errors).toBeUndefined();
    expect(result.data?._dataSubjectExport).toMatchObject({ subjectId: SUBJECT, subgraph: 'users' });
    const collections = collectionsOf(result.data);

    // Not exported (see test/rights-export.e2e.test.ts, which declares why): legal holds and the retention log.
    const tables = (await subjectTables(handle.db, ['users', 'privacy'], [CANDIDATES])).filter((t) => !['legal_holds', 'retention_log'].includes(t.table));
    expect(tables.map((t) => `${t.schema}.${t.table}`).sort()).toEqual([...collections.keys()].sort());
    for (const table of tables) {
      const name = `${table.schema}.${table.table}`;
      const expected = await rowsAbout(handle.db, table, SUBJECT);
      const served = collections.get(name)!;
      // The fixture files no data-subject request nor restriction (the end-to-end export test seeds them).
      if (!['dsr_requests', 'restrictions'].includes(table.table)) expect(expected.length, name).toBeGreaterThan(0);
      expect(served.rowCount, name).toBe(expected.length);
      if (table.schema === 'users') {
        expect(served.rows, name).toEqual(expected);
        expect(served.categories.length, name).toBeGreaterThan(0);
      } else {
        // The ledger is read through its module (Drizzle's mapping of dates): the same rows, the same columns.
        const identity = (r: Record<string, unknown>) => JSON.stringify([r.id, r.purpose, r.recipient_id, r.state, r.last_event_id, r.action]);
        expect(served.rows.map(identity).sort(), name).toEqual(expected.map(identity).sort());
        expect(served.rows.map((r) => Object.keys(r).sort()), name).toEqual(expected.map((r) => Object.keys(r).sort()));
      }
    }
    expect(collections.get('users.residence_cards')!.categories).toEqual(['IDENTIFICATION_CODE', 'RESIDENCE_STATUS']);
  });

  it('is the same for compliance, and empty collections for an unknown subject', async () => {
    const bySubject = await run(EXPORT, self(0), { id: SUBJECT });
    const byCompliance = await run(EXPORT, caller('compliance'), { id: SUBJECT });
    expect(byCompliance.errors).toBeUndefined();
    expect(byCompliance.data).toEqual(bySubject.data);

    const unknown = await run(EXPORT, caller('compliance'), { id: candidateId(999) });
    expect(unknown.errors).toBeUndefined();
    const collections = collectionsOf(unknown.data);
    expect(collections.size).toBe(11);
    for (const [name, c] of collections) expect([name, c.rowCount, c.rows]).toEqual([name, 0, []]);
  });
});

describe('authorisation', () => {
  const refused = [
    ['another candidate', self(1)],
    ['the subject under another purpose', caller('candidate', { sub: SUBJECT, purpose: 'SUPPORT', purposes: ['SUPPORT'] })],
    ['an employer', caller('employer', { org: EMPLOYER_A })],
    ['a marketer', caller('marketer')],
    ['support', caller('support')],
    ['an analyst', caller('analyst')],
  ] as const;

  it.each(refused)('refuses %s (FORBIDDEN) and changes nothing', async (_who, who) => {
    const before = await snapshot(handle.db, PROJECT_SCHEMAS);
    for (const operation of [EXPORT, ERASE]) {
      const result = await run(operation, who, { id: SUBJECT });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
    expect(await snapshot(handle.db, PROJECT_SCHEMAS)).toEqual(before);
  });

  it('rejects a malformed subject id (BAD_USER_INPUT)', async () => {
    for (const operation of [EXPORT, ERASE]) {
      const result = await run(operation, caller('compliance'), { id: 'not-a-uuid' });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('_dataSubjectErase (users)', () => {
  it('leaves none of the subject\'s personal values, withdraws every grant through the ledger, and touches nobody else', async () => {
    const subjects = (await subjectTables(handle.db, ['users'], [CANDIDATES])).filter((t) => t.schema === 'users');
    const values = await markSubject(handle.db, subjects, SUBJECT);
    expect(values.length).toBeGreaterThan(15);
    expect((await findValues(handle.db, ['users'], values)).length).toBeGreaterThanOrEqual(values.length);

    const ledger = [...subjects, ...(await subjectTables(handle.db, ['privacy']))];
    const others = await snapshot(handle.db, PROJECT_SCHEMAS, { subjectId: SUBJECT, subjects: ledger });
    const elsewhere = await snapshot(handle.db, ['employers', 'marketing']);
    const before = await usersDataSubject.export({ db: handle.db, subjectId: SUBJECT, caller: self(0) });
    const events = JSON.parse(before.find((c) => c.name === 'privacy.consent_events')!.rows) as { id: number }[];
    const granted = (JSON.parse(before.find((c) => c.name === 'privacy.consents')!.rows) as { state: string }[]).filter(
      (c) => c.state === 'GRANTED',
    );
    expect(granted.length).toBe(3);

    const result = await run(ERASE, self(0), { id: SUBJECT });
    expect(result.errors).toBeUndefined();
    const erasure = result.data?._dataSubjectErase;
    expect(erasure).toMatchObject({ subjectId: SUBJECT, subgraph: 'users' });
    expect(erasure.erased).toEqual([
      { collection: 'users.candidates', action: 'ANONYMISED', rows: 1 },
      { collection: 'privacy.subjects', action: 'WITHDRAWN', rows: 1 },
      { collection: 'privacy.consents', action: 'WITHDRAWN', rows: 3 },
      { collection: 'users.addresses', action: 'DELETED', rows: 1 },
      { collection: 'users.residence_cards', action: 'DELETED', rows: 1 },
      { collection: 'users.resumes', action: 'DELETED', rows: 1 },
      { collection: 'users.work_history', action: 'DELETED', rows: 2 },
    ]);
    expect(erasure.kept.map((k: { collection: string }) => k.collection)).toEqual([
      'users.candidates',
      'privacy.subjects',
      'privacy.consent_events',
      'privacy.provision_records',
      'privacy.consents',
    ]);
    for (const k of erasure.kept) expect(k.reason.length).toBeGreaterThan(20);

    expect(await findValues(handle.db, ['users'], values)).toEqual([]);
    for (const table of subjects.filter((t) => t.table !== 'candidates')) expect(await rowsAbout(handle.db, table, SUBJECT)).toEqual([]);
    const [tombstone] = await rowsAbout(handle.db, CANDIDATES, SUBJECT);
    expect(await rowsAbout(handle.db, STANDING, SUBJECT)).toEqual([expect.objectContaining({ standing: 'WITHDRAWN' })]);
    expect(tombstone).toMatchObject({
      email: erasedEmail(SUBJECT), full_name: '', full_name_kana: '', phone: null, birth_date: null, gender: null,
      desired_industries: [], desired_prefectures: [],
    });

    // The ledger keeps every earlier event and gains one withdrawal per standing grant; no grant stands.
    const [consentEvents, consents] = await Promise.all([
      rowsAbout(handle.db, { schema: 'privacy', table: 'consent_events', column: 'subject_id' }, SUBJECT),
      rowsAbout(handle.db, { schema: 'privacy', table: 'consents', column: 'subject_id' }, SUBJECT),
    ]);
    expect(consentEvents.map((e) => e.id)).toEqual(expect.arrayContaining(events.map((e) => e.id)));
    const added = consentEvents.filter((e) => !events.some((old) => old.id === e.id));
    expect(added.map((e) => [e.action, e.source, e.actor])).toEqual(Array(3).fill(['WITHDRAW', 'PRIVACY_CENTER', SUBJECT]));
    expect(consents.every((c) => c.state === 'WITHDRAWN')).toBe(true);

    expect(await snapshot(handle.db, PROJECT_SCHEMAS, { subjectId: SUBJECT, subjects: ledger })).toEqual(others);
    expect(await snapshot(handle.db, ['employers', 'marketing'])).toEqual(elsewhere);
  });

  it('is idempotent: a second call succeeds and erases nothing more', async () => {
    const before = await snapshot(handle.db, PROJECT_SCHEMAS);
    const again = await run(ERASE, caller('compliance'), { id: SUBJECT });
    expect(again.errors).toBeUndefined();
    expect(again.data?._dataSubjectErase.erased.map((s: { rows: number }) => s.rows)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(await snapshot(handle.db, PROJECT_SCHEMAS)).toEqual(before);
  });

  it('lets compliance erase a subject, recorded in the ledger as a support action by the officer', async () => {
    const officer = caller('compliance', { sub: 'officer-7' });
    const result = await run(ERASE, officer, { id: ERASED_BY_COMPLIANCE });
    expect(result.errors).toBeUndefined();
    const consents = await rowsAbout(handle.db, { schema: 'privacy', table: 'consents', column: 'subject_id' }, ERASED_BY_COMPLIANCE);
    expect(consents.length).toBeGreaterThan(0);
    expect(consents.every((c) => c.state === 'WITHDRAWN')).toBe(true);
    const events = await rowsAbout(handle.db, { schema: 'privacy', table: 'consent_events', column: 'subject_id' }, ERASED_BY_COMPLIANCE);
    expect(events.filter((e) => e.actor === 'officer-7').every((e) => e.action === 'WITHDRAW' && e.source === 'SUPPORT')).toBe(true);
    expect(events.some((e) => e.actor === 'officer-7')).toBe(true);
    const [row] = await rowsAbout(handle.db, CANDIDATES, ERASED_BY_COMPLIANCE);
    expect(row).toMatchObject({ email: erasedEmail(ERASED_BY_COMPLIANCE) });
    expect(await rowsAbout(handle.db, STANDING, ERASED_BY_COMPLIANCE)).toEqual([expect.objectContaining({ standing: 'WITHDRAWN' })]);
  });
});
