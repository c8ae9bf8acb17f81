// The gateway's consent lookup: one query for many subjects, and a scope that never changes a decision.
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { candidates } from '../db/schema/users.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { isConsentGranted } from '../directives/decide.ts';
import { recordConsent } from '../subgraphs/common/consent.ts';
import { openTestDatabase } from '../test/database.ts';
import { createConsentLoader } from './consent.ts';

let handle: DatabaseHandle;
let subjects: string[];
const NOW = new Date('2026-11-01T00:00:00Z');

beforeAll(async () => {
  handle = await openTestDatabase();
  const rows = await handle.db.select({ id: candidates.id }).from(candidates).orderBy(asc(candidates.id)).limit(300);
  subjects = rows.map((r) => r.id);
});
afterAll(async () => {
  await handle?.close();
});

describe('createConsentLoader', () => {
  it('with a scope, returns only the scope’s purposes, given to everyone or to the scope’s recipient', async () => {
    const subject = subjects[0]!;
    const grant = (purpose: 'EMPLOYER_DISCLOSURE' | 'MARKETING', recipientId: string | null) =>
      recordConsent(handle.db, { subjectId: subject, purpose, recipientId, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subject });
    await grant('EMPLOYER_DISCLOSURE', DEMO_IDS.employer);
    await grant('EMPLOYER_DISCLOSURE', DEMO_IDS.otherEmployer);
    await grant('MARKETING', null);
    const load = createConsentLoader(handle.db);

    const all = (await load([subject])).get(subject) ?? [];
    expect(all.some((r) => r.recipientId === DEMO_IDS.otherEmployer)).toBe(true);
    expect(all.some((r) => r.purpose === 'MARKETING')).toBe(true);

    const scoped = (await load([subject], { purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer })).get(subject) ?? [];
    expect(scoped.length).toBeGreaterThan(0);
    for (const row of scoped) {
      expect(row.purpose).toBe('EMPLOYER_DISCLOSURE');
      expect([null, DEMO_IDS.employer]).toContain(row.recipientId);
    }
    const general = (await load([subject], { purposes: ['MARKETING'], recipient: null })).get(subject) ?? [];
    expect(general.map((r) => [r.purpose, r.recipientId])).toEqual([['MARKETING', null]]);
  });

  it('decides exactly as the unscoped lookup for every subject, purpose and recipient', async () => {
    const load = createConsentLoader(handle.db);
    const all = await load(subjects);
    let granted = 0;
    for (const recipient of [DEMO_IDS.employer, DEMO_IDS.otherEmployer, null]) {
      for (const purpose of ['EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY', 'ADVERTISING'] as const) {
        const scoped = await load(subjects, { purposes: [purpose], recipient });
        for (const subject of subjects) {
          const expected = isConsentGranted(all.get(subject) ?? [], purpose, recipient, NOW);
          expect(isConsentGranted(scoped.get(subject) ?? [], purpose, recipient, NOW)).toBe(expected);
          if (expected) granted++;
        }
      }
    }
    // The comparison covered grants, not only refusals.
    expect(granted).toBeGreaterThan(50);
  });

  it('skips ids that are not UUIDs without a query error', async () => {
    const load = createConsentLoader(handle.db);
    const out = await load(['not-a-uuid', "x'; drop table privacy.consents; --"], { purposes: ['MARKETING'], recipient: null });
    expect(out.size).toBe(0);
  });
});
