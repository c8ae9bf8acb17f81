// The gateway's consent lookup: one query for many subjects, and a scope that never changes a decision.
import { asc, inArray } from 'drizzle-orm';
import { consentEvents } from '../db/schema/privacy.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { candidates } from '../db/schema/users.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { grantingConsent, isConsentGranted, isPurposeRestricted } from '../ledger/consent.ts';
import { liftRestrictions, restrictPurposes } from '../ledger/restrictions.ts';
import { recordConsent } from '../ledger/store.ts';
import { recordSubjectStanding } from '../ledger/subjects.ts';
import { openTestDatabase } from '../test/database.ts';
import type { ConsentScope } from '../directives/decide.ts';
import { coalesceLookups, createConsentLoader } from './consent.ts';

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
  it('returns no record of a subject whose standing does not honour consent, scoped or not', async () => {
    const subject = subjects[5]!;
    await recordConsent(handle.db, { subjectId: subject, purpose: 'EMPLOYER_DISCLOSURE', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subject });
    const load = createConsentLoader(handle.db);
    const scope = { purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer, now: new Date() };
    expect((await load([subject], scope)).get(subject)).toHaveLength(1);
    expect((await load([subject])).get(subject)?.length).toBeGreaterThan(0);
    for (const standing of ['SUSPENDED', 'WITHDRAWN'] as const) {
      await recordSubjectStanding(handle.db, [{ subjectId: subject, standing }]);
      expect((await load([subject], scope)).get(subject), standing).toBeUndefined();
      expect((await load([subject])).get(subject), standing).toBeUndefined();
    }
    await recordSubjectStanding(handle.db, [{ subjectId: subject, standing: 'ACTIVE' }]);
    expect((await load([subject], scope)).get(subject)).toHaveLength(1);
  });

  it('drops the grants of a restricted purpose, scoped or not, and marks a restricted purpose that needs no consent', async () => {
    const subject = subjects[7]!;
    await recordConsent(handle.db, { subjectId: subject, purpose: 'EMPLOYER_DISCLOSURE', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subject });
    await recordConsent(handle.db, { subjectId: subject, purpose: 'MARKETING', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER', actor: subject });
    const load = createConsentLoader(handle.db);
    const scope = { purposes: ['EMPLOYER_DISCLOSURE', 'MARKETING'], recipient: DEMO_IDS.employer, now: new Date() };
    const support = { purposes: ['SUPPORT'], recipient: null, now: new Date() };
    expect((await load([subject], scope)).get(subject)?.map((r) => r.purpose).sort()).toEqual(['EMPLOYER_DISCLOSURE', 'MARKETING']);
    expect((await load([subject], support)).get(subject)).toBeUndefined();

    await restrictPurposes(handle.db, { subjectId: subject, purposes: ['EMPLOYER_DISCLOSURE', 'SUPPORT'], requestId: subject });
    const scoped = (await load([subject], scope)).get(subject) ?? [];
    expect(scoped.map((r) => r.purpose)).toEqual(['MARKETING']);
    expect(isConsentGranted(scoped, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, new Date())).toBe(false);
    const all = (await load([subject])).get(subject) ?? [];
    expect(all.some((r) => r.purpose === 'EMPLOYER_DISCLOSURE' && !r.restricted)).toBe(false);
    expect(isPurposeRestricted(all, 'SUPPORT')).toBe(true);
    const marked = (await load([subject], support)).get(subject) ?? [];
    expect(isPurposeRestricted(marked, 'SUPPORT')).toBe(true);
    expect(isPurposeRestricted((await load([subjects[8]!], support)).get(subjects[8]!) ?? [], 'SUPPORT')).toBe(false);

    await liftRestrictions(handle.db, { subjectId: subject, purposes: ['EMPLOYER_DISCLOSURE', 'SUPPORT'] });
    expect((await load([subject], scope)).get(subject)).toHaveLength(2);
    expect((await load([subject], support)).get(subject)).toBeUndefined();
  });

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
            // The event a grant rests on is the same in the SQL answer as by the pure rule on the raw rows.
            const basis = grantingConsent(all.get(subject) ?? [], purpose, recipient, now)?.eventId;
            expect(grantingConsent(scoped.get(subject) ?? [], purpose, recipient, now)?.eventId, `event of ${subject} ${purpose}`).toBe(basis);
            if (expected) expect(basis).toEqual(expect.any(Number));
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
    // a's grant to every employer is the basis for another employer; c's grant to the employer for that employer.
    const eventOf = async (subject: string, recipient: string) =>
      (await load([subject], { purposes: ['EMPLOYER_DISCLOSURE'], recipient, now: NOW })).get(subject)?.[0]?.eventId;
    const ledger = await handle.db.select().from(consentEvents).where(inArray(consentEvents.subjectId, [a, c])).orderBy(asc(consentEvents.id));
    expect(await eventOf(a, DEMO_IDS.otherEmployer)).toBe(ledger.filter((e) => e.subjectId === a && e.recipientId === null).at(-1)!.id);
    expect(await eventOf(c, DEMO_IDS.employer)).toBe(ledger.filter((e) => e.subjectId === c && e.recipientId === DEMO_IDS.employer).at(-1)!.id);
  });

  const countScopedQueries = () => {
    let count = 0;
    const stop = handle.onQuery((sql) => {
      if (sql.includes('string_agg')) count++;
    });
    return { get count() { return count; }, stop };
  };
  const granted = (answer: ReadonlyMap<string, readonly unknown[]>) => [...answer.keys()].sort();

  it('coalesces concurrent lookups of one scope into one query and answers each for its own subjects only', async () => {
    const group = subjects.slice(20, 30);
    for (const subject of group.slice(0, 6)) await change(subject, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    const scope: ConsentScope = { purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer, now: NOW };
    const asks = [group.slice(0, 3), group.slice(2, 7), group.slice(5, 10), [group[9]!]];
    const alone: string[][] = [];
    for (const ids of asks) alone.push(granted(await createConsentLoader(handle.db)(ids, scope)));
    const aloneOther = granted(await createConsentLoader(handle.db)(group, { ...scope, recipient: DEMO_IDS.otherEmployer }));
    // Each answer holds the grants made above among its own subjects, and nothing else.
    asks.forEach((ids, i) => {
      expect(alone[i]).toEqual(expect.arrayContaining(ids.filter((id) => group.indexOf(id) < 6)));
      expect(ids).toEqual(expect.arrayContaining(alone[i]!));
    });

    const load = createConsentLoader(handle.db);
    const queries = countScopedQueries();
    const together = await Promise.all(asks.map((ids) => load(ids, scope)));
    // Another employer's lookup in the same turn is not merged with them.
    const other = await Promise.all([load(group, { ...scope, recipient: DEMO_IDS.otherEmployer }), load(group.slice(0, 1), scope)]);
    queries.stop();
    expect(together.map(granted)).toEqual(alone);
    expect(granted(other[0])).toEqual(aloneOther);
    expect(granted(other[1])).toEqual([group[0]]);
    expect(queries.count).toBe(3);
  });

  it('sends lookups made while the limit of queries is in flight together, and never reuses an answer', async () => {
    const [a, b, c] = subjects.slice(40, 43) as [string, string, string];
    await change(a, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    await change(b, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'GRANT');
    const scope: ConsentScope = { purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer, now: NOW };
    const load = createConsentLoader(handle.db, { maxInFlight: 1 });
    const queries = countScopedQueries();
    const first = load([a], scope);
    await new Promise((resolve) => setImmediate(resolve)); // the first query is out
    const waiting = Promise.all([load([a, b], scope), load([b, c], scope), load([c], scope)]);
    const [one, [two, three, four]] = await Promise.all([first, waiting]);
    expect([one, two, three, four].map(granted)).toEqual([[a], [a, b].sort(), [b], []]);
    expect(queries.count).toBe(2);

    // A withdrawal committed before a lookup is asked is seen by it.
    await change(b, 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer, 'WITHDRAW');
    expect(granted(await load([a, b], scope))).toEqual([a]);
    queries.stop();
    expect(queries.count).toBe(3);
  });

  it('fails every lookup of a batch whose query fails', async () => {
    const own = await openTestDatabase();
    const load = createConsentLoader(own.db);
    await own.close();
    const scope: ConsentScope = { purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer, now: NOW };
    const results = await Promise.allSettled([load(subjects.slice(0, 2), scope), load(subjects.slice(1, 3), scope)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('refuses a limit of queries in flight that is not a positive integer', () => {
    for (const maxInFlight of [0, -1, 1.5, Number.NaN]) expect(() => createConsentLoader(handle.db, { maxInFlight })).toThrow(RangeError);
  });

  it('skips ids that are not UUIDs without a query error', async () => {
    const load = createConsentLoader(handle.db);
    const out = await load(['not-a-uuid', "x'; drop table privacy.consents; --"], { purposes: ['MARKETING'], recipient: null, now: NOW });
    expect(out.size).toBe(0);
  });
});

describe('coalesceLookups', () => {
  interface Call {
    ids: string[];
    now: Date;
    answer(granted: string[]): void;
    fail(): void;
  }
  // Two turns of the event loop: a query's completion schedules the next batch for the turn after it.
  const turn = async () => {
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const record = { purpose: 'EMPLOYER_DISCLOSURE', recipientId: DEMO_IDS.employer, state: 'GRANTED', expiresAt: null } as const;
  const setup = (maxInFlight: number) => {
    const calls: Call[] = [];
    const lookup = coalesceLookups(
      (ids, scope) =>
        new Promise((resolve, reject) => {
          calls.push({
            ids: [...ids],
            now: scope.now,
            answer: (granted) => resolve(new Map(granted.map((id) => [id, [record]]))),
            fail: () => reject(new Error('lookup failed')),
          });
        }),
      maxInFlight,
    );
    return { calls, lookup };
  };
  const scope = (now: number): ConsentScope => ({ purposes: ['EMPLOYER_DISCLOSURE'], recipient: DEMO_IDS.employer, now: new Date(now) });

  it('holds lookups back while the limit is in flight, then sends them as one query at their latest time', async () => {
    const { calls, lookup } = setup(1);
    const first = lookup(['a'], scope(1));
    await turn();
    expect(calls.length).toBe(1);
    const second = lookup(['a', 'b'], scope(2));
    await turn();
    const third = lookup(['b', 'c'], scope(3));
    await turn();
    expect(calls.length).toBe(1);
    calls[0]!.answer(['a']);
    expect([...(await first).keys()]).toEqual(['a']);
    await turn();
    expect(calls.length).toBe(2);
    expect(calls[1]!.ids).toEqual(['a', 'b', 'c']);
    expect(calls[1]!.now.getTime()).toBe(3);
    calls[1]!.answer(['a', 'c']);
    expect([...(await second).keys()]).toEqual(['a']);
    expect([...(await third).keys()]).toEqual(['c']);
  });

  it('sends up to the limit at once, and fails every lookup of a failed query', async () => {
    const { calls, lookup } = setup(2);
    const first = lookup(['a'], scope(1));
    await turn();
    const second = lookup(['b'], scope(1));
    const third = lookup(['c'], scope(1));
    await turn();
    expect(calls.map((c) => c.ids)).toEqual([['a'], ['b', 'c']]);
    calls[1]!.fail();
    calls[0]!.answer(['a']);
    expect((await first).size).toBe(1);
    const settled = await Promise.allSettled([second, third]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // Nothing is cached: the same lookup asked again goes out again.
    const again = lookup(['a'], scope(1));
    await turn();
    expect(calls.length).toBe(3);
    calls[2]!.answer([]);
    expect((await again).size).toBe(0);
  });

  it('settles every lookup even when an answer cannot be read', async () => {
    const lookup = coalesceLookups(async () => null as unknown as Map<string, never>, 1);
    const settled = await Promise.allSettled([lookup(['a'], scope(1)), lookup(['b'], scope(1))]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
