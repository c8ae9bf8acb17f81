// Query.candidates: the candidate search, served by the subgraph that owns the candidates (users).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { recordConsent } from '../../ledger/store.ts';
import { recordSubjectStanding } from '../../ledger/subjects.ts';
import {
  CANDIDATE_COUNT,
  EMPLOYER_A,
  EMPLOYER_B,
  SUSPENDED_CANDIDATE,
  caller,
  candidateId,
  consentsToEmployerA,
  countQueries,
  createFixtureDatabase,
  runner,
  type Run,
} from '../common/test-fixture.ts';
import { usersSubgraph } from './index.ts';

let handle: DatabaseHandle;
let run: Run;

beforeAll(async () => {
  handle = await createFixtureDatabase();
  ({ run } = runner(usersSubgraph(), handle));
});

afterAll(async () => {
  await handle?.close();
});

const employerA = caller('employer', { org: EMPLOYER_A });
const employerB = caller('employer', { org: EMPLOYER_B });

const SEARCH = /* GraphQL */ `
  query ($filter: CandidateFilter, $first: Int, $after: String) {
    candidates(filter: $filter, first: $first, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } }
  }
`;

/** Candidate numbers in search order: newest registration first (creation time = floor(n / 2) minutes), then id desc. */
function expectedOrder(predicate: (n: number) => boolean): string[] {
  return Array.from({ length: CANDIDATE_COUNT }, (_, n) => n)
    .filter(predicate)
    .sort((a, b) => Math.floor(b / 2) - Math.floor(a / 2) || b - a)
    .map(candidateId);
}

async function walk(who: ReturnType<typeof caller>, first: number, filter?: Record<string, string>) {
  const ids: string[] = [];
  const pages: { size: number; hasNextPage: boolean }[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const result = await run(SEARCH, who, { first, after, filter });
    expect(result.errors).toBeUndefined();
    const page = result.data?.candidates as { nodes: { id: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
    ids.push(...page.nodes.map((n) => n.id));
    pages.push({ size: page.nodes.length, hasNextPage: page.pageInfo.hasNextPage });
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, pages };
}

describe('candidates (consented search)', () => {
  it('an employer gets exactly the consenting active candidates, newest first, paged without gaps', async () => {
    const expected = expectedOrder(consentsToEmployerA);
    expect(expected.length).toBe(23);
    const { ids, pages } = await walk(employerA, 5);
    expect(ids).toEqual(expected);
    // Pages are full until the last; hasNextPage is false exactly on the last page.
    expect(pages.map((p) => p.size)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, true, true, false]);
  });

  it('hasNextPage is false when the page holds exactly the remaining consenting candidates', async () => {
    const all = await run(SEARCH, employerA, { first: 23 });
    expect(all.data?.candidates.nodes).toHaveLength(23);
    expect(all.data?.candidates.pageInfo.hasNextPage).toBe(false);
    const fewer = await run(SEARCH, employerA, { first: 22 });
    expect(fewer.data?.candidates.pageInfo.hasNextPage).toBe(true);
  });

  it('a grant to every employer counts for other employers', async () => {
    const { ids } = await walk(employerB, 100);
    expect(ids).toEqual(expectedOrder((n) => n % 5 === 1));
  });

  it('filters by industry, prefecture (address or desired) and skill in SQL', async () => {
    const industry = await walk(employerA, 100, { industry: 'IT' });
    expect(industry.ids).toEqual(expectedOrder((n) => consentsToEmployerA(n) && n % 3 === 0));
    const prefecture = await walk(employerA, 100, { prefecture: '福岡県' });
    expect(prefecture.ids).toEqual(expectedOrder((n) => consentsToEmployerA(n) && (n % 3 === 2 || n % 7 === 0)));
    const skill = await walk(employerA, 100, { skill: 'typescript' });
    expect(skill.ids).toEqual(expectedOrder((n) => consentsToEmployerA(n) && n % 3 === 0));
    const none = await walk(employerA, 100, { skill: '%' });
    expect(none.ids).toEqual([]);
  });

  it('staff see every active candidate; other roles get an empty connection', async () => {
    const { ids } = await walk(caller('support'), 100);
    expect(ids).toEqual(expectedOrder((n) => n !== 57));
    for (const who of [caller('marketer'), caller('analyst'), caller('candidate', { sub: candidateId(0) }), caller('employer', { org: null })]) {
      expect(await run(SEARCH, who, {})).toEqual({ data: { candidates: { nodes: [], pageInfo: { endCursor: null, hasNextPage: false } } } });
    }
  });

  it('rejects first > 100 and malformed cursors as BAD_USER_INPUT', async () => {
    const tooMany = await run(SEARCH, employerA, { first: 101 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.data).toBeNull();
    expect((await run(SEARCH, employerA, { first: 100 })).errors).toBeUndefined();
    for (const after of ['garbage', Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url')]) {
      expect((await run(SEARCH, employerA, { after })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});


describe('what the search reads', () => {
  it('returns the selected fields of the page itself, reading the page in a fixed number of queries', async () => {
    const PAGE = 'query { candidates(first: 23) { nodes { id fullName email address { prefecture } resume { summary } } } }';
    let result: Awaited<ReturnType<Run>> | undefined;
    const { count, statements } = await countQueries(handle, async () => {
      result = await run(PAGE, employerA);
    });
    expect(result?.errors).toBeUndefined();
    const nodes = result?.data?.candidates.nodes as { id: string; fullName: string; address: { prefecture: string } | null }[];
    expect(nodes.map((n) => n.id)).toEqual(expectedOrder(consentsToEmployerA));
    expect(nodes[0]?.fullName).toMatch(/^候補者 \d+$/);
    // The page of ids, then one statement for the rows with their address and CV: not one per candidate.
    expect(count, statements.join('\n')).toBeLessThanOrEqual(3);
  });
});

describe('changes are seen by the next request', () => {
  it('an employer loses a candidate from search right after the withdrawal', async () => {
    const subject = candidateId(12);
    expect((await run(SEARCH, employerA, { first: 100 })).data?.candidates.nodes).toContainEqual({ id: subject });
    await recordConsent(handle.db, { subjectId: subject, purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER_A, action: 'WITHDRAW', source: 'PRIVACY_CENTER', actor: subject });
    expect((await run(SEARCH, employerA, { first: 100 })).data?.candidates.nodes).not.toContainEqual({ id: subject });
  });

  it("a candidate whose use is suspended leaves every employer's search and staff's, though their consent stands", async () => {
    const subject = candidateId(15); // consents to EMPLOYER_A and to every employer
    expect((await run(SEARCH, employerA, { first: 100 })).data?.candidates.nodes).toContainEqual({ id: subject });
    await recordSubjectStanding(handle.db, [{ subjectId: subject, standing: 'SUSPENDED' }]);
    try {
      for (const who of [employerA, employerB, caller('support')]) {
        expect((await run(SEARCH, who, { first: 100 })).data?.candidates.nodes).not.toContainEqual({ id: subject });
      }
      expect(SUSPENDED_CANDIDATE).not.toBe(15);
    } finally {
      await recordSubjectStanding(handle.db, [{ subjectId: subject, standing: 'ACTIVE' }]);
    }
    expect((await run(SEARCH, employerA, { first: 100 })).data?.candidates.nodes).toContainEqual({ id: subject });
  });
});
