// The consent API of the users subgraph, executed directly against the subgraph schema on the fixture database.
import { and, count, desc, eq } from 'drizzle-orm';
import type { EnumTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { consentEvents, consents, consentSource } from '../../db/schema/privacy.ts';
import { CONSENT_PURPOSES } from '../../directives/purposes.ts';
import { CURRENT_POLICY_VERSION, recordConsent } from '../../ledger/store.ts';
import { parseDateTime } from './consent.ts';
import { usersSubgraph } from './index.ts';
import {
  EMPLOYER_A,
  EMPLOYER_B,
  SUSPENDED_CANDIDATE,
  UNKNOWN_ID,
  caller,
  candidateId,
  countQueries,
  createFixtureDatabase,
  runner,
  type Run,
} from '../common/test-fixture.ts';

let handle: DatabaseHandle;
let run: Run;

beforeAll(async () => {
  handle = await createFixtureDatabase();
  ({ run } = runner(usersSubgraph(), handle));
});

afterAll(async () => {
  await handle?.close();
});

const CONSENT_FIELDS = 'purpose recipientId recipient { id } granted state policyVersion source updatedAt expiresAt';
const GRANT = `mutation ($purpose: ConsentPurpose!, $recipient: ID, $expiresAt: String) {
  grantConsent(purpose: $purpose, recipient: $recipient, expiresAt: $expiresAt) { ${CONSENT_FIELDS} }
}`;
const WITHDRAW = `mutation ($purpose: ConsentPurpose!, $recipient: ID) {
  withdrawConsent(purpose: $purpose, recipient: $recipient) { ${CONSENT_FIELDS} }
}`;
const MINE = '{ me { consents { purpose recipientId granted state expiresAt } consentHistory { action purpose recipientId source actor policyVersion expiresAt } } }';
const VISIBLE = 'query ($id: ID!) { candidate(id: $id) { id } }';

// Fixture candidates with no EMPLOYER_DISCLOSURE record: n % 3 != 0 and n % 5 != 1 (even ones hold MARKETING).
const self = (n: number) => caller('candidate', { sub: candidateId(n) });
const employerA = caller('employer', { org: EMPLOYER_A });
const employerB = caller('employer', { org: EMPLOYER_B });

async function grant(n: number, variables: Record<string, unknown>) {
  return run(GRANT, self(n), variables);
}
async function withdraw(n: number, variables: Record<string, unknown>) {
  return run(WITHDRAW, self(n), variables);
}
async function seenBy(who: ReturnType<typeof caller>, n: number): Promise<boolean> {
  const result = await run(VISIBLE, who, { id: candidateId(n) });
  expect(result.errors).toBeUndefined();
  return result.data?.candidate?.id === candidateId(n);
}
async function ledgerSize(): Promise<{ events: number; states: number }> {
  const [events] = await handle.db.select({ n: count() }).from(consentEvents);
  const [states] = await handle.db.select({ n: count() }).from(consents);
  return { events: events!.n, states: states!.n };
}
async function mine(n: number) {
  const result = await run(MINE, self(n));
  expect(result.errors).toBeUndefined();
  return result.data!.me as { consents: Record<string, unknown>[]; consentHistory: Record<string, unknown>[] };
}

describe('grantConsent', () => {
  it('records one ledger event and the current state, effective for the next request', async () => {
    expect(await seenBy(employerA, 2)).toBe(false);
    const before = await ledgerSize();
    const result = await grant(2, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A.toUpperCase() });
    expect(result.errors).toBeUndefined();
    expect(result.data?.grantConsent).toEqual({
      purpose: 'EMPLOYER_DISCLOSURE',
      recipientId: EMPLOYER_A,
      recipient: { id: EMPLOYER_A },
      granted: true,
      state: 'GRANTED',
      policyVersion: CURRENT_POLICY_VERSION,
      source: 'PRIVACY_CENTER',
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      expiresAt: null,
    });
    expect(await ledgerSize()).toEqual({ events: before.events + 1, states: before.states + 1 });
    const [event] = await handle.db.select().from(consentEvents).where(eq(consentEvents.subjectId, candidateId(2))).orderBy(desc(consentEvents.id)).limit(1);
    expect(event).toMatchObject({ action: 'GRANT', purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_A, source: 'PRIVACY_CENTER', actor: candidateId(2) });
    expect(await seenBy(employerA, 2)).toBe(true);
    expect(await seenBy(employerB, 2)).toBe(false);
  });

  it('keeps a grant to one employer and a grant to every employer as separate records', async () => {
    expect((await grant(4, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A })).errors).toBeUndefined();
    expect((await grant(4, { purpose: 'EMPLOYER_DISCLOSURE' })).errors).toBeUndefined();
    const { consents: rows } = await mine(4);
    expect(rows.filter((c) => c.purpose === 'EMPLOYER_DISCLOSURE')).toEqual([
      { purpose: 'EMPLOYER_DISCLOSURE', recipientId: null, granted: true, state: 'GRANTED', expiresAt: null },
      { purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_A, granted: true, state: 'GRANTED', expiresAt: null },
    ]);
    expect(await seenBy(employerA, 4)).toBe(true);
    expect(await seenBy(employerB, 4)).toBe(true);
    // Withdrawing the grant to one employer leaves the grant to every employer in force for the others.
    expect((await withdraw(4, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_B })).errors).toBeUndefined();
    expect(await seenBy(employerA, 4)).toBe(true);
    expect(await seenBy(employerB, 4)).toBe(false);
  });

  it('takes an expiry in the future; once it has passed the grant reads as withdrawn', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000);
    const result = await grant(5, { purpose: 'MARKETING', expiresAt: expiresAt.toISOString().replace('Z', '+00:00') });
    expect(result.errors).toBeUndefined();
    expect(result.data?.grantConsent).toMatchObject({ granted: true, state: 'GRANTED', expiresAt: expiresAt.toISOString() });
    expect(await seenBy(caller('marketer', { purpose: 'MARKETING' }), 5)).toBe(true);

    // An expired grant can only come from the ledger (the API refuses a past expiry).
    const now = Date.now();
    await recordConsent(handle.db, {
      subjectId: candidateId(5), purpose: 'MARKETING', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER',
      actor: candidateId(5), at: new Date(now - 2 * 86_400_000), expiresAt: new Date(now - 60_000),
    });
    const { consents: rows } = await mine(5);
    expect(rows.find((c) => c.purpose === 'MARKETING')).toEqual({
      purpose: 'MARKETING', recipientId: null, granted: false, state: 'EXPIRED', expiresAt: new Date(now - 60_000).toISOString(),
    });
    expect(await seenBy(caller('marketer', { purpose: 'MARKETING' }), 5)).toBe(false);
  });
});

describe('withdrawConsent', () => {
  it('for one employer excludes it even under a grant to every employer', async () => {
    expect((await grant(7, { purpose: 'EMPLOYER_DISCLOSURE' })).errors).toBeUndefined();
    expect(await seenBy(employerA, 7)).toBe(true);
    const result = await withdraw(7, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A });
    expect(result.errors).toBeUndefined();
    expect(result.data?.withdrawConsent).toMatchObject({ purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_A, granted: false, state: 'WITHDRAWN' });
    expect(await seenBy(employerA, 7)).toBe(false);
    expect(await seenBy(employerB, 7)).toBe(true);
    const { consents: rows } = await mine(7);
    expect(rows.filter((c) => c.purpose === 'EMPLOYER_DISCLOSURE').map((c) => [c.recipientId, c.state])).toEqual([
      [null, 'GRANTED'],
      [EMPLOYER_A, 'WITHDRAWN'],
    ]);
  });

  it('without a recipient withdraws every grant of the purpose, and the history shows each step in order', async () => {
    for (const recipient of [EMPLOYER_A, EMPLOYER_B, null]) {
      expect((await grant(8, { purpose: 'EMPLOYER_DISCLOSURE', recipient })).errors).toBeUndefined();
    }
    expect(await seenBy(employerA, 8)).toBe(true);
    const result = await withdraw(8, { purpose: 'EMPLOYER_DISCLOSURE' });
    expect(result.data?.withdrawConsent).toMatchObject({ recipientId: null, granted: false, state: 'WITHDRAWN' });
    expect(await seenBy(employerA, 8)).toBe(false);
    expect(await seenBy(employerB, 8)).toBe(false);
    const { consents: rows, consentHistory } = await mine(8);
    expect(rows.filter((c) => c.purpose === 'EMPLOYER_DISCLOSURE').map((c) => [c.recipientId, c.state])).toEqual([
      [null, 'WITHDRAWN'],
      [EMPLOYER_A, 'WITHDRAWN'],
      [EMPLOYER_B, 'WITHDRAWN'],
    ]);
    expect(consentHistory.filter((e) => e.purpose === 'EMPLOYER_DISCLOSURE').map((e) => [e.action, e.recipientId, e.source, e.actor])).toEqual([
      ['GRANT', EMPLOYER_A, 'PRIVACY_CENTER', candidateId(8)],
      ['GRANT', EMPLOYER_B, 'PRIVACY_CENTER', candidateId(8)],
      ['GRANT', null, 'PRIVACY_CENTER', candidateId(8)],
      ['WITHDRAW', null, 'PRIVACY_CENTER', candidateId(8)],
    ]);
    // A later grant to every employer does not reopen the employers withdrawn above: they count as withdrawn for them.
    expect((await grant(8, { purpose: 'EMPLOYER_DISCLOSURE' })).errors).toBeUndefined();
    expect(await seenBy(employerA, 8)).toBe(false);
    expect((await grant(8, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A })).errors).toBeUndefined();
    expect(await seenBy(employerA, 8)).toBe(true);
  });

  it('is always possible, even for a suspended account; granting is not', async () => {
    const suspended = caller('candidate', { sub: candidateId(SUSPENDED_CANDIDATE) });
    const refused = await run(GRANT, suspended, { purpose: 'SURVEY' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const done = await run(WITHDRAW, suspended, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A });
    expect(done.errors).toBeUndefined();
    expect(done.data?.withdrawConsent).toMatchObject({ recipientId: EMPLOYER_A, state: 'WITHDRAWN' });
  });
});

describe('bad input', () => {
  const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['a recipient on MARKETING', GRANT, { purpose: 'MARKETING', recipient: EMPLOYER_A }, 'recipient'],
    ['a recipient on SURVEY', GRANT, { purpose: 'SURVEY', recipient: EMPLOYER_B }, 'recipient'],
    ['a recipient on ADVERTISING', GRANT, { purpose: 'ADVERTISING', recipient: EMPLOYER_A, expiresAt: future }, 'recipient'],
    ['withdrawing MARKETING from one employer', WITHDRAW, { purpose: 'MARKETING', recipient: EMPLOYER_A }, 'recipient'],
    ['an employer id that does not exist', GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: UNKNOWN_ID }, 'recipient'],
    ['a recipient that is not a UUID', GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: 'acme' }, 'recipient'],
    ['a candidate id as recipient', GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: candidateId(1) }, 'recipient'],
    ['withdrawing from an unknown employer', WITHDRAW, { purpose: 'EMPLOYER_DISCLOSURE', recipient: UNKNOWN_ID }, 'recipient'],
    ['an expiry in the past', GRANT, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A, expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry of right now or a second ago', GRANT, { purpose: 'MARKETING', expiresAt: new Date(Date.now() - 1000).toISOString() }, 'expiresAt'],
    ['an unparsable expiry', GRANT, { purpose: 'MARKETING', expiresAt: 'next year' }, 'expiresAt'],
    ['an impossible date', GRANT, { purpose: 'MARKETING', expiresAt: '2099-02-30T00:00:00Z' }, 'expiresAt'],
    ['an expiry without a time zone', GRANT, { purpose: 'MARKETING', expiresAt: '2099-01-01T00:00:00' }, 'expiresAt'],
    ['a date without a time', GRANT, { purpose: 'MARKETING', expiresAt: '2099-01-01' }, 'expiresAt'],
  ];

  it.each(cases)('%s: BAD_USER_INPUT naming the argument, nothing written', async (_name, mutation, variables, argument) => {
    const before = await ledgerSize();
    const result = await run(mutation, self(13), variables);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(result.errors![0]!.message).toMatch(argument === 'recipient' ? /recipient/ : /expiresAt/);
    expect(await ledgerSize()).toEqual(before);
  });

  it('a purpose that needs no consent is not a ConsentPurpose', async () => {
    const before = await ledgerSize();
    const history = (await mine(13)).consentHistory;
    const result = await run(GRANT, self(13), { purpose: 'ANALYTICS' });
    expect(result.errors?.[0]?.message).toMatch(/ConsentPurpose/);
    expect(await ledgerSize()).toEqual(before);
    expect((await mine(13)).consentHistory).toEqual(history);
  });
});

describe('who may change consent', () => {
  it('only the candidate themself: every other role, and an unknown or malformed subject, is FORBIDDEN', async () => {
    const before = await ledgerSize();
    for (const who of [
      employerA,
      caller('support'),
      caller('compliance'),
      caller('marketer'),
      caller('analyst'),
      caller('candidate', { sub: UNKNOWN_ID }),
      caller('candidate', { sub: 'not-a-uuid' }),
    ]) {
      for (const [mutation, variables] of [
        [GRANT, { purpose: 'MARKETING' }],
        [WITHDRAW, { purpose: 'EMPLOYER_DISCLOSURE', recipient: EMPLOYER_A }],
      ] as const) {
        const result = await run(mutation, who, variables);
        expect(result.data, `${who.role} ${who.sub}`).toBeNull();
        expect(result.errors?.[0]?.extensions?.code, `${who.role} ${who.sub}`).toBe('FORBIDDEN');
      }
    }
    expect(await ledgerSize()).toEqual(before);
  });
});

describe('Candidate.consents and consentHistory', () => {
  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Candidate { id consents { purpose recipientId state } consentHistory { action } } }
  }`;

  it('are the candidate’s own and staff’s: another candidate, an employer, a marketer and an analyst read null', async () => {
    const representations = [{ __typename: 'Candidate', id: candidateId(0) }];
    const support = await run(ENTITIES, caller('support'), { representations });
    expect(support.errors).toBeUndefined();
    expect(support.data?._entities[0].consents).toEqual(
      expect.arrayContaining([{ purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_A, state: 'GRANTED' }]),
    );
    expect(support.data?._entities[0].consentHistory.length).toBeGreaterThan(0);
    for (const who of [self(1), employerA, caller('marketer'), caller('analyst')]) {
      const result = await run(ENTITIES, who, { representations });
      expect(result.data?._entities[0], who.role).toMatchObject({ id: candidateId(0), consents: null, consentHistory: null });
    }
  });

  it('batch: the consents and histories of 40 candidates cost one query each', async () => {
    const representations = Array.from({ length: 40 }, (_, n) => ({ __typename: 'Candidate', id: candidateId(n) }));
    let result: Awaited<ReturnType<Run>> | undefined;
    const { count: statements } = await countQueries(handle, async () => {
      result = await run(ENTITIES, caller('support'), { representations });
    });
    expect(result?.errors).toBeUndefined();
    expect(result?.data?._entities).toHaveLength(40);
    expect(statements).toBe(3); // candidates, consents, consent events
  });
});

describe('ordering under concurrency', () => {
  it('the current state is the state of the last event even when changes of one subject race', async () => {
    const n = 14;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0 ? grant(n, { purpose: 'SURVEY' }) : withdraw(n, { purpose: 'SURVEY' }),
      ),
    );
    const events = await handle.db
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.subjectId, candidateId(n)), eq(consentEvents.purpose, 'SURVEY')))
      .orderBy(consentEvents.id);
    const [state] = await handle.db
      .select()
      .from(consents)
      .where(and(eq(consents.subjectId, candidateId(n)), eq(consents.purpose, 'SURVEY')));
    expect(events).toHaveLength(24);
    const last = events.at(-1)!;
    expect(state).toMatchObject({ lastEventId: last.id, state: last.action === 'GRANT' ? 'GRANTED' : 'WITHDRAWN' });
  });
});

describe('schema', () => {
  const { typeDefs } = usersSubgraph();
  const enumValues = (name: string) =>
    (typeDefs.definitions.find((d) => d.kind === 'EnumTypeDefinition' && d.name.value === name) as EnumTypeDefinitionNode).values!.map(
      (v) => v.name.value,
    );

  it('ConsentPurpose and ConsentSource are exactly the consent purposes and the ledger sources', () => {
    expect(enumValues('ConsentPurpose')).toEqual(CONSENT_PURPOSES);
    expect(enumValues('ConsentSource')).toEqual(consentSource.enumValues);
  });

  it('declares Employer as a non-resolvable entity stub', () => {
    const employer = typeDefs.definitions.find((d) => d.kind === 'ObjectTypeDefinition' && d.name.value === 'Employer');
    expect(employer && 'fields' in employer ? employer.fields?.map((f) => f.name.value) : null).toEqual(['id']);
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2027-03-31T23:59:59+09:00', '2027-03-31T14:59:59.000Z'],
    ['2027-03-31T23:59:59.123456Z', '2027-03-31T23:59:59.123Z'],
    ['2027-03-31t10:00z', '2027-03-31T10:00:00.000Z'],
    ['2028-02-29T00:00:00-05:30', '2028-02-29T05:30:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['2027-02-29T00:00:00Z', '2027-13-01T00:00:00Z', '2027-01-01T24:00:00Z', '2027-01-01T00:60:00Z', '2027-01-01T00:00:00+24:00', '2027-01-01', '', 'tomorrow', '1700000000'])(
    'refuses %j',
    (text) => {
      expect(parseDateTime(text)).toBeNull();
    },
  );
});
