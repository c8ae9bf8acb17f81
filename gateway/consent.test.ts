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
  type Purpose = 'EMPLOYER_DISCLOSURE' | 'MARKETING';
  const change = (subject: string, purpose: Purpose, recipientId: string | null, action: 'GRANT' | 'WITHDRAW', expiresAt: Date | null = null) =>
    recordConsent(handle.db, { subjectId: subject, purpose, recipientId, action, source: 'PRIVACY_CENTER', actor: subject, expiresAt });

  it('with a scope, answers only the (subject, purpose) pairs the scope grants, as grants to the scope’s recipient', async () => {
    const subject = subjects[0]!;
    await change(subject, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    await change(subject, 'EMPLOYER_DISCLOSURE', DEMO_IDS.otherEmployer, 'GRANT');
    await change(subject, 'MARKETING', null, 'GRANT');
    const load = createConsentLoader(handle.db);

    const all = (await load([subject])).get(subject) ?? [];
    expect(all.some((r) => r.recipientId === DEMO_IDS.otherEmployer)).toBe(true);
    expect(all.some((r) => r.purpose === 'MARKETING')).toBe(true);

    const scoped = await load([subject, subjects[1]!], { purposes: ['EMPLOYER_DISCLOSURE', 'MARKETING'], recipient: DEMO_IDS.employer, now: NOW });
    expect(scoped.get(subject)!.map((r) => [r.purpose, r.recipientId, r.state]).sort()).toEqual([
      ['EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANTED'],
      ['MARKETING', DEMO_IDS.employer, 'GRANTED'],
    ]);
    const general = (await load([subject], { purposes: ['MARKETING'], recipient: null, now: NOW })).get(subject) ?? [];
    expect(general.map((r) => [r.purpose, r.recipientId])).toEqual([['MARKETING', null]]);
  });

  it('decides exactly as isConsentGranted on the raw rows: withdrawals, expiries and grants to everyone', async () => {
    const [a, b, c, d] = subjects.slice(10, 14) as [string, string, string, string];
    const soon = new Date(NOW.getTime() + 3_600_000);
    // a: granted to everyone, withdrawn from one employer. b: a grant to one employer that expires, and one to everyone.
    // c: a grant to one employer, and everyone's withdrawn. d: a grant to everyone that expires.
    await change(a, 'EMPLOYER_DISCLOSURE', null, 'GRANT');
    await change(a, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    await change(a, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'WITHDRAW');
    await change(b, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT', soon);
    await change(b, 'EMPLOYER_DISCLOSURE', null, 'GRANT');
    await change(c, 'EMPLOYER_DISCLOSURE', null, 'GRANT');
    await change(c, 'EMPLOYER_DISCLOSURE', null, 'WITHDRAW');
    await change(c, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    await change(d, 'MARKETING', null, 'GRANT', soon);

    const load = createConsentLoader(handle.db);
    const all = await load(subjects);
    let granted = 0;
    let refused = 0;
    for (const now of [NOW, new Date(soon.getTime() + 1)]) {
      for (const recipient of [DEMO_IDS.employer, DEMO_IDS.otherEmployer, null]) {
        for (const purpose of ['EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY', 'ADVERTISING'] as const) {
          const scoped = await load(subjects, { purposes: [purpose], recipient, now });
          for (const subject of subjects) {
            const expected = isConsentGranted(all.get(subject) ?? [], purpose, recipient, now);
            expect(isConsentGranted(scoped.get(subject) ?? [], purpose, recipient, now), `${subject} ${purpose} ${recipient} ${now.toISOString()}`).toBe(expected);
            if (expected) granted++;
            else refused++;
          }
        }
      }
    }
    // The comparison covered both answers, and the crafted cases came out as the policy says.
    expect(granted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
    const decide = async (subject: string, purpose: Purpose, recipient: string | null, now: Date) =>
      isConsentGranted((await load([subject], { purposes: [purpose], recipient, now })).get(subject) ?? [], purpose, recipient, now);
    expect(await decide(a, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, NOW)).toBe(false);
    expect(await decide(a, 'EMPLOYER_DISCLOSURE', DEMO_IDS.otherEmployer, NOW)).toBe(true);
    expect(await decide(b, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, new Date(soon.getTime() + 1))).toBe(true);
    expect(await decide(c, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, NOW)).toBe(true);
    expect(await decide(c, 'EMPLOYER_DISCLOSURE', DEMO_IDS.otherEmployer, NOW)).toBe(false);
    expect(await decide(d, 'MARKETING', null, NOW)).toBe(true);
    expect(await decide(d, 'MARKETING', null, new Date(soon.getTime() + 1))).toBe(false);
  });

  it('skips ids that are not UUIDs without a query error', async () => {
    const load = createConsentLoader(handle.db);
    const out = await load(['not-a-uuid', "x'; drop table privacy.consents; --"], { purposes: ['MARKETING'], recipient: null, now: NOW });
    expect(out.size).toBe(0);
  });
});
