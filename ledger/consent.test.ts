// The consent rule's two forms agree: the pure isConsentGranted and the SQL the subgraphs filter rows with
// (hasConsentSql), on every combination of a grant to everyone, a grant to the recipient and one to another, and
// of the subject's standing (active, suspended, withdrawn, not registered), and of a restriction of the purpose.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import { restrictions } from '../db/schema/rights.ts';
import type { SubjectStanding } from '../directives/standing.ts';
import { recordSubjectStanding } from './subjects.ts';
import { openTestDatabase } from '../test/database.ts';
import { consentsInForce, consentStateAt, hasConsentSql, isConsentGranted, isConsentLive, type ConsentRecord } from './consent.ts';

const NOW = new Date('2026-11-01T00:00:00Z');
const PAST = new Date(NOW.getTime() - 60_000);
const FUTURE = new Date(NOW.getTime() + 60_000);
const R = 'e1000000-0000-4000-8000-000000000001';
const OTHER = 'e1000000-0000-4000-8000-000000000002';

/** The states one row can be in (or absent). */
const ROW_STATES = [
  null,
  { state: 'GRANTED', expiresAt: null },
  { state: 'GRANTED', expiresAt: FUTURE },
  { state: 'GRANTED', expiresAt: PAST },
  { state: 'WITHDRAWN', expiresAt: null },
] as const;

const subjectId = (n: number) => `5b000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('isConsentLive and consentStateAt', () => {
  it('count an expired grant as withdrawn', () => {
    expect(isConsentLive({ state: 'GRANTED', expiresAt: null }, NOW)).toBe(true);
    expect(isConsentLive({ state: 'GRANTED', expiresAt: FUTURE }, NOW)).toBe(true);
    expect(isConsentLive({ state: 'GRANTED', expiresAt: NOW }, NOW)).toBe(false);
    expect(isConsentLive({ state: 'WITHDRAWN', expiresAt: null }, NOW)).toBe(false);
    expect(consentStateAt({ state: 'GRANTED', expiresAt: PAST }, NOW)).toBe('EXPIRED');
    expect(consentStateAt({ state: 'WITHDRAWN', expiresAt: null }, NOW)).toBe('WITHDRAWN');
    expect(consentStateAt({ state: 'GRANTED', expiresAt: FUTURE }, NOW)).toBe('GRANTED');
  });
});

describe('hasConsentSql', () => {
  let handle: DatabaseHandle;
  const cases: { subject: string; records: ConsentRecord[]; standing: SubjectStanding | null; restricted: ReadonlySet<string> }[] = [];
  const STANDINGS = ['ACTIVE', 'SUSPENDED', 'WITHDRAWN', null] as const;
  beforeAll(async () => {
    handle = await openTestDatabase();
    let n = 0;
    for (const general of ROW_STATES) {
      for (const specific of ROW_STATES) {
        for (const other of ROW_STATES) {
          for (const standing of STANDINGS) {
            // Nothing restricted; EMPLOYER_DISCLOSURE restricted; another purpose (SURVEY) restricted.
            for (const restricted of [[], ['EMPLOYER_DISCLOSURE'], ['SURVEY']]) {
              const subject = subjectId(++n);
              const records: ConsentRecord[] = [];
              for (const [row, recipientId] of [[general, null], [specific, R], [other, OTHER]] as const) {
                if (row) records.push({ purpose: 'EMPLOYER_DISCLOSURE', recipientId, state: row.state, expiresAt: row.expiresAt });
              }
              // A grant of another purpose never counts for this one.
              records.push({ purpose: 'MARKETING', recipientId: null, state: 'GRANTED', expiresAt: null });
              cases.push({ subject, records, standing, restricted: new Set(restricted) });
            }
          }
        }
      }
    }
    await recordSubjectStanding(
      handle.db,
      cases.flatMap(({ subject, standing }) => (standing === null ? [] : [{ subjectId: subject, standing }])),
    );
    await handle.db.insert(consents).values(
      cases.flatMap(({ subject, records }) =>
        records.map((r, i) => ({ subjectId: subject, ...r, policyVersion: 'test', source: 'IMPORT' as const, lastEventId: i + 1, updatedAt: PAST })),
      ),
    );
    await handle.db.insert(restrictions).values(
      cases.flatMap(({ subject, restricted }) => [...restricted].map((purpose) => ({ subjectId: subject, purpose, requestId: subject }))),
    );
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('decides exactly as isConsentGranted over the records in force, for a recipient, for everyone, and for a purpose with no rows', async () => {
    const ids = sql.raw(`(values ${cases.map((c) => `('${c.subject}'::uuid)`).join(', ')}) as s(id)`);
    let granted = 0;
    for (const purpose of ['EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY'] as const) {
      for (const recipient of [R, OTHER, null]) {
        const result = (await handle.db.execute(
          sql`select s.id::text as id, ${hasConsentSql(sql`s.id`, purpose, recipient, NOW)} as granted from ${ids}`,
        )) as unknown as { rows?: { id: string; granted: boolean }[] } | { id: string; granted: boolean }[];
        const rows = Array.isArray(result) ? result : (result.rows ?? []);
        expect(rows).toHaveLength(cases.length);
        const bySubject = new Map(rows.map((r) => [r.id, r.granted]));
        for (const { subject, records, standing, restricted } of cases) {
          const expected = isConsentGranted(consentsInForce(records, standing, restricted), purpose, recipient, NOW);
          expect(bySubject.get(subject), `${purpose} ${recipient} ${standing} ${[...restricted]} ${JSON.stringify(records)}`).toBe(expected);
          if (expected) granted++;
        }
      }
    }
    // Both answers occurred (the cases are not all one way).
    expect(granted).toBeGreaterThan(20);
    expect(granted).toBeLessThan(cases.length * 9 - 20);
    // A departed or unregistered subject's records grant nothing, whatever they say.
    expect(cases.filter((c) => c.standing !== 'ACTIVE').every((c) => consentsInForce(c.records, c.standing).length === 0)).toBe(true);
    // A restriction stops its own purpose and no other: an active subject's EMPLOYER_DISCLOSURE grant to everyone
    // counts unless that purpose is restricted, and their MARKETING grant counts whatever else is restricted.
    const active = cases.filter((c) => c.standing === 'ACTIVE' && c.records.some((r) => r.purpose === 'EMPLOYER_DISCLOSURE' && r.recipientId === null && isConsentLive(r, NOW)));
    for (const c of active) {
      expect(isConsentGranted(consentsInForce(c.records, c.standing, c.restricted), 'EMPLOYER_DISCLOSURE', null, NOW)).toBe(!c.restricted.has('EMPLOYER_DISCLOSURE'));
      expect(isConsentGranted(consentsInForce(c.records, c.standing, c.restricted), 'MARKETING', null, NOW)).toBe(true);
    }
    expect(active.some((c) => c.restricted.has('EMPLOYER_DISCLOSURE'))).toBe(true);
  });
});
