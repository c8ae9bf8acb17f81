import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { recordConsent } from '../../ledger/store.ts';
import {
  CAMPAIGN,
  EMPLOYER_A,
  EMPTY_CAMPAIGN,
  SURVEY,
  SUSPENDED_CANDIDATE,
  UNKNOWN_ID,
  caller,
  candidateId,
  countQueries,
  createFixtureDatabase,
  marketingConsent,
  runner,
  surveyConsent,
  type Run,
} from '../common/test-fixture.ts';
import { marketingSubgraph } from './index.ts';

let handle: DatabaseHandle;
let run: Run;

beforeAll(async () => {
  handle = await createFixtureDatabase();
  ({ run } = runner(marketingSubgraph(), handle));
});

afterAll(async () => {
  await handle?.close();
});

const AUDIENCE = /* GraphQL */ `
  query ($campaignId: ID!, $first: Int, $after: String) {
    campaignAudience(campaignId: $campaignId, first: $first, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } }
  }
`;
const EMPTY = { data: { campaignAudience: { nodes: [], pageInfo: { endCursor: null, hasNextPage: false } } } };
const marketer = caller('marketer', { purpose: 'MARKETING', purposes: ['MARKETING', 'SURVEY', 'ADVERTISING'] });
const surveyor = caller('marketer', { purpose: 'SURVEY', purposes: ['MARKETING', 'SURVEY', 'ADVERTISING'] });

/** Recipients (candidates 0–39) in id order who pass `predicate`. */
const recipients = (predicate: (n: number) => boolean) =>
  Array.from({ length: 40 }, (_, n) => n).filter((n) => n !== SUSPENDED_CANDIDATE && predicate(n)).map(candidateId);

async function walk(who: ReturnType<typeof caller>, first: number) {
  const ids: string[] = [];
  const flags: boolean[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const result = await run(AUDIENCE, who, { campaignId: CAMPAIGN, first, after });
    expect(result.errors).toBeUndefined();
    ids.push(...(result.data?.campaignAudience.nodes as { id: string }[]).map((n) => n.id));
    flags.push(result.data?.campaignAudience.pageInfo.hasNextPage);
    if (!result.data?.campaignAudience.pageInfo.hasNextPage) break;
    after = result.data.campaignAudience.pageInfo.endCursor;
  }
  return { ids, flags };
}

describe('campaignAudience', () => {
  it('MARKETING: only recipients who currently opt in, filtered in SQL and paged exactly', async () => {
    const expected = recipients((n) => marketingConsent(n) && n !== 6); // 6 withdrew
    expect(expected).toHaveLength(19);
    const { ids, flags } = await walk(marketer, 5);
    expect(ids).toEqual(expected);
    expect(flags).toEqual([true, true, true, false]);
    const exact = await run(AUDIENCE, marketer, { campaignId: CAMPAIGN, first: 19 });
    expect(exact.data?.campaignAudience.pageInfo.hasNextPage).toBe(false);
  });

  it('SURVEY: recipients who consent to surveys', async () => {
    expect((await walk(surveyor, 100)).ids).toEqual(recipients(surveyConsent));
  });

  it('is empty for other purposes, other roles, unknown or malformed campaigns', async () => {
    expect(await run(AUDIENCE, caller('marketer', { purpose: 'ADVERTISING' }), { campaignId: CAMPAIGN })).toEqual(EMPTY);
    for (const who of [caller('employer', { org: EMPLOYER_A }), caller('support'), caller('analyst'), caller('candidate', { sub: candidateId(0) })]) {
      expect(await run(AUDIENCE, who, { campaignId: CAMPAIGN })).toEqual(EMPTY);
    }
    for (const campaignId of [UNKNOWN_ID, EMPTY_CAMPAIGN, 'bogus']) expect(await run(AUDIENCE, marketer, { campaignId })).toEqual(EMPTY);
  });

  it('rejects first > 100', async () => {
    const result = await run(AUDIENCE, marketer, { campaignId: CAMPAIGN, first: 101 });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('drops a candidate right after an opt-out', async () => {
    const subject = candidateId(38);
    expect((await walk(marketer, 100)).ids).toContain(subject);
    await recordConsent(handle.db, { subjectId: subject, purpose: 'MARKETING', recipientId: null, action: 'WITHDRAW', source: 'PRIVACY_CENTER', actor: subject });
    expect((await walk(marketer, 100)).ids).not.toContain(subject);
  });
});

describe('campaigns and surveys', () => {
  it('lists campaigns newest first with recipient counts', async () => {
    const result = await run('{ campaigns(first: 1) { nodes { id name channel status startsAt endsAt recipientCount } pageInfo { hasNextPage endCursor } } }', marketer);
    expect(result.errors).toBeUndefined();
    expect(result.data?.campaigns.nodes).toEqual([
      { id: CAMPAIGN, name: 'Spring IT fair', channel: 'EMAIL', status: 'SENT', startsAt: '2025-01-01T00:01:40.000Z', endsAt: null, recipientCount: 40 },
    ]);
    const next = await run('query ($after: String) { campaigns(after: $after) { nodes { id recipientCount } pageInfo { hasNextPage } } }', marketer, {
      after: result.data?.campaigns.pageInfo.endCursor,
    });
    expect(next.data?.campaigns).toEqual({ nodes: [{ id: EMPTY_CAMPAIGN, recipientCount: 0 }], pageInfo: { hasNextPage: false } });
    expect((await run('{ campaigns(first: 101) { nodes { id } } }', marketer)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('campaign(id) and surveys', async () => {
    const result = await run(`query ($id: ID!) { campaign(id: $id) { name targetPrefecture } bad: campaign(id: "nope") { id } surveys { id title questions closesAt } }`, marketer, {
      id: EMPTY_CAMPAIGN,
    });
    expect(result).toEqual({
      data: {
        campaign: { name: 'Draft', targetPrefecture: '大阪府' },
        bad: null,
        surveys: [{ id: SURVEY, title: '転職意識調査', questions: ['Q1: 転職時期は?', 'Q2: 希望年収は?'], closesAt: null }],
      },
    });
  });
});

describe('Candidate.marketingProfile', () => {
  const PROFILE = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Candidate {
          id
          marketingProfile {
            adIdentifiers { kind value createdAt }
            surveyResponses { survey { id title } answers { question answer } submittedAt }
            campaignHistory { campaign { id name recipientCount } sentAt openedAt }
          }
        }
      }
    }
  `;
  const refs = (...ns: number[]) => ns.map((n) => ({ __typename: 'Candidate', id: candidateId(n) }));

  it('loads the profile by candidate id', async () => {
    const result = await run(PROFILE, caller('support'), { representations: refs(0, 1, 47) });
    expect(result.errors).toBeUndefined();
    const [zero, one, late] = result.data?._entities as { marketingProfile: Record<string, unknown[]> }[];
    expect(zero?.marketingProfile).toEqual({
      adIdentifiers: [{ kind: 'COOKIE', value: 'cookie-0', createdAt: '2025-01-01T00:00:00.000Z' }],
      surveyResponses: [],
      campaignHistory: [
        { campaign: { id: CAMPAIGN, name: 'Spring IT fair', recipientCount: 40 }, sentAt: '2025-01-01T00:01:40.000Z', openedAt: '2025-01-01T00:03:20.000Z' },
      ],
    });
    // Answers come back in the survey's question order, whatever order jsonb keeps.
    expect(one?.marketingProfile.surveyResponses).toEqual([
      {
        survey: { id: SURVEY, title: '転職意識調査' },
        answers: [
          { question: 'Q1: 転職時期は?', answer: '半年以内' },
          { question: 'Q2: 希望年収は?', answer: '501万円' },
        ],
        submittedAt: '2025-01-01T00:05:00.000Z',
      },
    ]);
    expect(late?.marketingProfile).toEqual({ adIdentifiers: [], surveyResponses: [], campaignHistory: [] });
  });

  it("a candidate reads only its own profile", async () => {
    const result = await run(PROFILE, caller('candidate', { sub: candidateId(1) }), { representations: refs(1, 0) });
    const [own, other] = result.data?._entities as { marketingProfile: unknown }[];
    expect(own?.marketingProfile).not.toBeNull();
    expect(other?.marketingProfile).toBeNull();
    const direct = await run(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Candidate { id } } }',
      caller('candidate', { sub: candidateId(1) }),
      { r: [{ __typename: 'Candidate', id: 'bogus' }] },
    );
    expect(direct.data?._entities).toEqual([null]);
  });

  it('batches: 50 profiles cost a constant number of queries', async () => {
    let result: Awaited<ReturnType<Run>> | undefined;
    const fifty = await countQueries(handle, async () => {
      result = await run(PROFILE, caller('support'), { representations: refs(...Array.from({ length: 50 }, (_, n) => n)) });
    });
    expect(result?.errors).toBeUndefined();
    const five = await countQueries(handle, () => run(PROFILE, caller('support'), { representations: refs(0, 1, 2, 3, 5) }));
    // ad identifiers, survey responses, campaign history, surveys, campaigns, recipient counts
    expect(fifty.count).toBe(6);
    expect(five.count).toBe(fifty.count);
  });
});
