import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { recordConsent } from '../../ledger/store.ts';
import { usersSubgraph } from './index.ts';
import {
  EMPLOYER_A,
  EMPLOYER_B,
  SUSPENDED_CANDIDATE,
  UNKNOWN_ID,
  caller,
  candidateId,
  consentsToEmployerA,
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

const CANDIDATE = /* GraphQL */ `
  query ($id: ID!) {
    candidate(id: $id) { id fullName email birthDate desiredIndustries address { prefecture city } }
  }
`;

const employerA = caller('employer', { org: EMPLOYER_A });
const employerB = caller('employer', { org: EMPLOYER_B });

describe('me', () => {
  it('returns the calling candidate', async () => {
    const result = await run('{ me { id fullName email phone birthDate } }', caller('candidate', { sub: candidateId(4) }));
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toEqual({
      id: candidateId(4),
      fullName: '候補者 4',
      email: 'candidate4@example.jp',
      phone: '090-0000-0004',
      birthDate: '1974-05-15',
    });
  });

  it('is null for every other role and for an unknown or malformed subject', async () => {
    for (const who of [employerA, caller('support'), caller('marketer'), caller('candidate', { sub: UNKNOWN_ID }), caller('candidate', { sub: 'nope' })]) {
      const result = await run('{ me { id } }', who);
      expect(result).toEqual({ data: { me: null } });
    }
  });
});

describe('candidate(id) row rules', () => {
  it('a candidate sees only itself', async () => {
    const self = caller('candidate', { sub: candidateId(2) });
    expect((await run(CANDIDATE, self, { id: candidateId(2) })).data?.candidate?.id).toBe(candidateId(2));
    expect(await run(CANDIDATE, self, { id: candidateId(3) })).toEqual({ data: { candidate: null } });
  });

  it('an employer sees exactly the candidates consenting to it, with the same null for others and unknown ids', async () => {
    for (let n = 0; n < 60; n++) {
      const result = await run(CANDIDATE, employerA, { id: candidateId(n) });
      expect(result.errors, `candidate ${n}`).toBeUndefined();
      expect(result.data?.candidate?.id ?? null, `candidate ${n}`).toBe(consentsToEmployerA(n) ? candidateId(n) : null);
    }
    const denied = await run(CANDIDATE, employerA, { id: candidateId(2) });
    const unknown = await run(CANDIDATE, employerA, { id: UNKNOWN_ID });
    expect(denied).toEqual({ data: { candidate: null } });
    expect(unknown).toEqual(denied);
  });

  it('a grant to every employer counts unless withdrawn for this employer', async () => {
    // 11: granted to every employer, withdrawn for EMPLOYER_A only.
    expect((await run(CANDIDATE, employerA, { id: candidateId(11) })).data?.candidate).toBeNull();
    expect((await run(CANDIDATE, employerB, { id: candidateId(11) })).data?.candidate?.id).toBe(candidateId(11));
    // 0: granted to EMPLOYER_A only.
    expect((await run(CANDIDATE, employerB, { id: candidateId(0) })).data?.candidate).toBeNull();
  });

  it('a suspended candidate is hidden from employers even with consent', async () => {
    expect((await run(CANDIDATE, employerA, { id: candidateId(SUSPENDED_CANDIDATE) })).data?.candidate).toBeNull();
    expect((await run(CANDIDATE, caller('support'), { id: candidateId(SUSPENDED_CANDIDATE) })).data?.candidate?.id).toBe(
      candidateId(SUSPENDED_CANDIDATE),
    );
  });

  it('a withdrawal takes effect on the next request', async () => {
    const n = 9; // consents to EMPLOYER_A
    expect((await run(CANDIDATE, employerA, { id: candidateId(n) })).data?.candidate?.id).toBe(candidateId(n));
    await recordConsent(handle.db, {
      subjectId: candidateId(n), purpose: 'EMPLOYER_DISCLOSURE', recipientId: null, action: 'WITHDRAW', source: 'PRIVACY_CENTER', actor: candidateId(n),
    });
    expect((await run(CANDIDATE, employerA, { id: candidateId(n) })).data?.candidate).toBeNull();
  });

  it('a marketer sees only candidates consenting to its declared purpose', async () => {
    const marketing = caller('marketer', { purpose: 'MARKETING' });
    expect((await run(CANDIDATE, marketing, { id: candidateId(2) })).data?.candidate?.id).toBe(candidateId(2));
    expect((await run(CANDIDATE, marketing, { id: candidateId(3) })).data?.candidate).toBeNull();
    expect((await run(CANDIDATE, marketing, { id: candidateId(6) })).data?.candidate).toBeNull(); // withdrew
    const survey = caller('marketer', { purpose: 'SURVEY' });
    expect((await run(CANDIDATE, survey, { id: candidateId(5) })).data?.candidate?.id).toBe(candidateId(5));
    expect((await run(CANDIDATE, survey, { id: candidateId(2) })).data?.candidate).toBeNull();
    const advertising = caller('marketer', { purpose: 'ADVERTISING' });
    expect((await run(CANDIDATE, advertising, { id: candidateId(10) })).data?.candidate?.id).toBe(candidateId(10));
    expect((await run(CANDIDATE, advertising, { id: candidateId(2) })).data?.candidate).toBeNull();
  });

  it('support and compliance see anyone; analysts see no one', async () => {
    expect((await run(CANDIDATE, caller('support'), { id: candidateId(7) })).data?.candidate?.id).toBe(candidateId(7));
    expect((await run(CANDIDATE, caller('compliance'), { id: candidateId(7) })).data?.candidate?.id).toBe(candidateId(7));
    expect(await run(CANDIDATE, caller('analyst'), { id: candidateId(7) })).toEqual({ data: { candidate: null } });
  });

  it('a malformed id is null, not an error', async () => {
    for (const id of ['not-a-uuid', '', "'; drop table users.candidates; --", `${candidateId(0)}x`]) {
      expect(await run(CANDIDATE, caller('support'), { id })).toEqual({ data: { candidate: null } });
    }
  });
});

describe('node(id)', () => {
  it('resolves a candidate through the Node interface under the same rules', async () => {
    const query = 'query ($id: ID!) { node(id: $id) { __typename id ... on Candidate { fullName } } }';
    expect((await run(query, caller('support'), { id: candidateId(1) })).data?.node).toEqual({
      __typename: 'Candidate', id: candidateId(1), fullName: '候補者 1',
    });
    expect(await run(query, employerA, { id: candidateId(2) })).toEqual({ data: { node: null } });
    expect(await run(query, employerA, { id: 'garbage' })).toEqual({ data: { node: null } });
  });
});

describe('nested personal data', () => {
  it('resolves address, residence card, CV and work history', async () => {
    const result = await run(
      `query ($id: ID!) { candidate(id: $id) {
        fullNameKana desiredPrefectures
        address { postalCode prefecture city street }
        residenceCard { number nationality statusOfResidence expiresOn }
        resume { summary skills updatedAt workHistory { company title startedOn endedOn description } }
      } }`,
      caller('support'),
      { id: candidateId(0) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.candidate).toEqual({
      fullNameKana: 'コウホシャ 0',
      desiredPrefectures: ['福岡県'],
      address: { postalCode: '100-0000', prefecture: '東京都', city: '千代田区', street: '0-1-1' },
      residenceCard: { number: 'AB00000000CD', nationality: 'VN', statusOfResidence: 'Engineer/Specialist in Humanities/International Services', expiresOn: '2027-12-31' },
      resume: {
        summary: 'Summary 0',
        skills: ['TypeScript', 'Japanese'],
        updatedAt: '2025-01-01T00:00:00.000Z',
        workHistory: [
          { company: 'New Co', title: 'Senior', startedOn: '2018-04-01', endedOn: null, description: 'Current' },
          { company: 'Old Co', title: 'Junior', startedOn: '2015-04-01', endedOn: '2018-03-31', description: null },
        ],
      },
    });
    const noCard = await run('query ($id: ID!) { candidate(id: $id) { residenceCard { number } } }', caller('support'), { id: candidateId(1) });
    expect(noCard).toEqual({ data: { candidate: { residenceCard: null } } });
  });
});

describe('entity references', () => {
  const ENTITIES = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Candidate { id fullName address { prefecture } resume { skills workHistory { company } } }
      }
    }
  `;

  it('resolves references, null for unknown or malformed ids', async () => {
    const result = await run(ENTITIES, employerA, {
      representations: [
        { __typename: 'Candidate', id: candidateId(3) },
        { __typename: 'Candidate', id: UNKNOWN_ID },
        { __typename: 'Candidate', id: 'bogus' },
        { __typename: 'Candidate', id: candidateId(3).toUpperCase() },
      ],
    });
    expect(result.errors).toBeUndefined();
    const [first, unknown, bogus, upper] = result.data?._entities as unknown[];
    expect(first).toMatchObject({ id: candidateId(3), fullName: '候補者 3', address: { prefecture: '東京都' } });
    expect(unknown).toBeNull();
    expect(bogus).toBeNull();
    expect(upper).toMatchObject({ id: candidateId(3) });
  });

  it('batches: 50 references with address, CV and work history cost a constant number of queries', async () => {
    const representations = (count: number) => Array.from({ length: count }, (_, n) => ({ __typename: 'Candidate', id: candidateId(n) }));
    let result: Awaited<ReturnType<Run>> | undefined;
    const fifty = await countQueries(handle, async () => {
      result = await run(ENTITIES, caller('support'), { representations: representations(50) });
    });
    expect(result?.errors).toBeUndefined();
    expect(result?.data?._entities).toHaveLength(50);
    expect((result?.data?._entities as { resume: { workHistory: unknown[] } }[]).every((c) => c.resume.workHistory.length === 2)).toBe(true);
    const five = await countQueries(handle, () => run(ENTITIES, caller('support'), { representations: representations(5) }));
    // The candidates with their address and CV in one statement, then their work history.
    expect(fifty.count).toBe(2);
    expect(fifty.statements[0]).toMatch(/left join "users"."addresses".*left join "users"."resumes"/);
    expect(five.count).toBe(fifty.count);
  });

  it('reads the selected one-to-one parts with the candidate: the same values as their own loaders, null where there is none', async () => {
    const PARTS = 'address { postalCode prefecture city street } residenceCard { number nationality statusOfResidence expiresOn } resume { summary skills updatedAt }';
    const ids = Array.from({ length: 12 }, (_, n) => candidateId(n));
    let joined: Awaited<ReturnType<Run>> | undefined;
    const queries = await countQueries(handle, async () => {
      joined = await run(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Candidate { id ${PARTS} } } }`, caller('support'), {
        representations: ids.map((id) => ({ __typename: 'Candidate', id })),
      });
    });
    expect(joined?.errors).toBeUndefined();
    expect(queries.count).toBe(1);
    const entities = joined?.data?._entities as { id: string; residenceCard: unknown; address: unknown }[];
    expect(entities.map((e) => e.id)).toEqual(ids);
    // The root field reads each part with its own loader.
    for (const entity of entities) {
      const own = await run(`query ($id: ID!) { candidate(id: $id) { id ${PARTS} } }`, caller('support'), { id: entity.id });
      expect(entity).toEqual(own.data?.candidate);
    }
    expect(entities.some((e) => e.residenceCard === null)).toBe(true);
    expect(entities.some((e) => e.residenceCard !== null && e.address !== null)).toBe(true);
  });

  it('reads only the light columns when the selection needs no other, and every column when it does', async () => {
    const representations = Array.from({ length: 12 }, (_, n) => ({ __typename: 'Candidate', id: candidateId(n) }));
    const LIGHT = 'id fullName fullNameKana email phone birthDate address { city } consents { purpose recipient }';
    for (const [fields, light] of [
      [LIGHT, true],
      [`${LIGHT} desiredIndustries desiredPrefectures`, false],
    ] as const) {
      let result: Awaited<ReturnType<Run>> | undefined;
      const queries = await countQueries(handle, async () => {
        result = await run(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Candidate { ${fields} } } }`, caller('support'), {
          representations,
        });
      });
      expect(result?.errors).toBeUndefined();
      const [candidatesStatement] = queries.statements;
      expect(/"desired_industries"|"created_at"/.test(candidatesStatement!)).toBe(!light);
      const entities = result?.data?._entities as { id: string; birthDate: string | null; consents: unknown[] }[];
      expect(entities.some((e) => e.birthDate !== null) && entities.some((e) => e.consents.length > 0)).toBe(true);
      for (const entity of entities) {
        const own = await run(`query ($id: ID!) { candidate(id: $id) { ${fields} } }`, caller('support'), { id: entity.id });
        expect(entity).toEqual(own.data?.candidate);
      }
    }
  });

  it('reads every column a field behind a fragment on an interface needs', async () => {
    const representations = [0, 1].map((n) => ({ __typename: 'Candidate', id: candidateId(n) }));
    const result = await run(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Node { ... on Candidate { id desiredIndustries address { city } } } } }',
      caller('support'),
      { representations },
    );
    expect(result.errors).toBeUndefined();
    for (const entity of result.data?._entities as { id: string }[]) {
      const own = await run('query ($id: ID!) { candidate(id: $id) { id desiredIndustries address { city } } }', caller('support'), { id: entity.id });
      expect(entity).toEqual(own.data?.candidate);
    }
  });

  it('sees parts behind named and nested fragments, and reads nothing it was not asked for', async () => {
    const representations = [0, 1, 2].map((n) => ({ __typename: 'Candidate', id: candidateId(n) }));
    const named = await countQueries(handle, async () => {
      const result = await run(
        'query ($representations: [_Any!]!) { _entities(representations: $representations) { ...Parts } } fragment Parts on Candidate { ... on Candidate { id resume { summary } } }',
        caller('support'),
        { representations },
      );
      expect(result.errors).toBeUndefined();
      expect((result.data?._entities as { resume: { summary: string } }[]).map((e) => e.resume.summary)).toEqual(['Summary 0', 'Summary 1', 'Summary 2']);
    });
    expect(named.count).toBe(1);
    expect(named.statements[0]).toMatch(/left join "users"."resumes"/);
    expect(named.statements[0]).not.toMatch(/addresses|residence_cards/);
    const plain = await countQueries(handle, () =>
      run('query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Candidate { id fullName } } }', caller('support'), { representations }),
    );
    expect(plain.count).toBe(1);
    expect(plain.statements[0]).not.toMatch(/join/);
  });
});
