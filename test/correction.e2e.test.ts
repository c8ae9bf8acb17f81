// Correction (APPI Art. 34) end to end: updateMyProfile validates everything before it writes, records the correction
// (coordinates, time, actor; never a value) in the same transaction, and the corrected values show up through the
// gateway wherever they are read: the candidate's own record, staff lookups, the employer's view of the applicant and
// the candidate search.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { dsrRequests } from '../db/schema/rights.ts';
import { addresses, candidates, resumes } from '../db/schema/users.ts';
import { demoTokens, startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

/** The demo candidate: applied to DEMO_IDS.job at DEMO_IDS.employer (who may see them). */
const SUBJECT = DEMO_IDS.candidate;

let t: TestSystem;
let employer: string;
let support: string;
let candidate: string;

beforeAll(async () => {
  t = await startTestSystem();
  ({ employer, support, candidate } = await demoTokens(t));
});

afterAll(async () => {
  await t?.close();
});

async function ok(res: Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r;
}

const UPDATE = 'mutation($input: ProfileUpdate!) { updateMyProfile(input: $input) { id fullName fullNameKana email phone address { postalCode prefecture city street } desiredIndustries desiredPrefectures resume { summary skills } } }';

/** Everything the correction can touch, read straight from the tables, and the subject's requests. */
async function stored() {
  const [candidate] = await t.db.db.select().from(candidates).where(eq(candidates.id, SUBJECT));
  const [address] = await t.db.db.select().from(addresses).where(eq(addresses.candidateId, SUBJECT));
  const [resume] = await t.db.db.select().from(resumes).where(eq(resumes.candidateId, SUBJECT));
  // Without logged_at: the gateway records earlier requests in the access log in the background.
  const requests = (await t.db.db.select().from(dsrRequests).where(eq(dsrRequests.subjectId, SUBJECT))).map(({ loggedAt: _logged, ...rest }) => rest);
  return { candidate, address, resume, requests };
}

const CORRECTED = {
  fullName: 'グエン・ティ・ラン 訂正',
  fullNameKana: 'ｸﾞｴﾝ ﾃｨ ﾗﾝ',
  email: 'Lan.Corrected@Example.JP',
  phone: '+81 80 2468 1357',
  address: { postalCode: '9000001', prefecture: '沖縄県', city: '那覇市', street: '泉崎1-2-3 訂正ハイツ101' },
  desiredIndustries: ['ホテル・旅行', '教育'],
  desiredPrefectures: ['沖縄県'],
  resume: { summary: '訂正後の職務要約です。\r\n二行目。', skills: ['全国通訳案内士', 'Excel'] },
};

describe('updateMyProfile', () => {
  it('writes every field in its stored form, records the coordinates (no value) and restarts the CV retention', async () => {
    const before = await stored();
    const r = await ok(t.query(UPDATE, { token: candidate, variables: { input: CORRECTED } }));
    expect(r.body.errors).toBeUndefined();
    const expected = {
      id: SUBJECT,
      fullName: CORRECTED.fullName,
      fullNameKana: 'グエン ティ ラン',
      email: 'Lan.Corrected@example.jp',
      phone: '080-2468-1357',
      address: { postalCode: '900-0001', prefecture: '沖縄県', city: '那覇市', street: '泉崎1-2-3 訂正ハイツ101' },
      desiredIndustries: ['ホテル・旅行', '教育'],
      desiredPrefectures: ['沖縄県'],
      resume: { summary: '訂正後の職務要約です。\n二行目。', skills: ['全国通訳案内士', 'Excel'] },
    };
    expect(r.body.data!.updateMyProfile).toEqual(expected);

    const after = await stored();
    expect(after.resume!.receivedAt.getTime()).toBeGreaterThan(before.resume!.receivedAt.getTime());
    expect(Date.now() - after.resume!.receivedAt.getTime()).toBeLessThan(60_000);
    const added = after.requests.filter((q) => !before.requests.some((b) => b.id === q.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ kind: 'CORRECTION', status: 'COMPLETED', filedBy: SUBJECT, filedByRole: 'candidate' });
    expect(added[0]!.completedAt).not.toBeNull();
    expect((added[0]!.detail as { coordinates: string[] }).coordinates.sort()).toEqual(
      ['Address.city', 'Address.postalCode', 'Address.prefecture', 'Address.street', 'Candidate.desiredIndustries', 'Candidate.desiredPrefectures', 'Candidate.email', 'Candidate.fullName', 'Candidate.fullNameKana', 'Candidate.phone', 'Resume.skills', 'Resume.summary'].sort(),
    );
    // Neither the old nor the new values are in the record.
    const record = JSON.stringify(added[0]);
    for (const v of [before.candidate!.email, before.candidate!.fullName, before.candidate!.phone, 'Lan.Corrected', '2468', '那覇市', '訂正']) expect(record).not.toContain(v);

    // The candidate's own record.
    const me = await ok(t.query('{ me { fullName fullNameKana email phone address { postalCode prefecture city street } desiredIndustries desiredPrefectures resume { summary skills } } }', { token: candidate }));
    const { id: _id, ...own } = expected;
    expect(me.body.data!.me).toEqual(own);
    // Support staff looking the candidate up.
    const staff = await ok(t.query('query($id: ID!) { candidate(id: $id) { fullName email phone address { city } } }', { token: support, purpose: 'SUPPORT', variables: { id: SUBJECT } }));
    expect(staff.body.data!.candidate).toEqual({ fullName: expected.fullName, email: expected.email, phone: expected.phone, address: { city: '那覇市' } });
    // The employer's view of the applicant (address masked to its prefecture) and its lookup.
    const apps = await ok(t.query('query($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidate { id fullName email phone address { prefecture } desiredIndustries resume { summary } } } } } }', { token: employer, variables: { job: DEMO_IDS.job } }));
    const seen = (apps.body.data!.job.applications.nodes as { candidate: Record<string, unknown> | null }[]).find((n) => n.candidate?.id === SUBJECT)?.candidate;
    expect(seen).toEqual({ id: SUBJECT, fullName: expected.fullName, email: expected.email, phone: expected.phone, address: { prefecture: '沖縄県' }, desiredIndustries: expected.desiredIndustries, resume: { summary: expected.resume.summary } });
    // The candidate search reads the corrected industries and prefecture, and no longer the old ones.
    const search = async (filter: Record<string, string>) => {
      const found = await ok(t.query('query($f: CandidateFilter) { candidates(filter: $f, first: 100) { nodes { id fullName } } }', { token: employer, variables: { f: filter } }));
      return (found.body.data!.candidates.nodes as { id: string; fullName: string }[]).find((n) => n.id === SUBJECT) ?? null;
    };
    expect(await search({ industry: 'ホテル・旅行', prefecture: '沖縄県' })).toEqual({ id: SUBJECT, fullName: expected.fullName });
    expect(await search({ skill: '全国通訳案内士' })).toEqual({ id: SUBJECT, fullName: expected.fullName });
    const oldIndustries = before.candidate!.desiredIndustries.filter((i) => !expected.desiredIndustries.includes(i));
    for (const industry of oldIndustries) expect(await search({ industry })).toBeNull();
  });

  it('phone: null removes the phone number; a partial CV correction keeps the other part', async () => {
    const r = await ok(t.query(UPDATE, { token: candidate, variables: { input: { phone: null, resume: { skills: ['Excel'] } } } }));
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.updateMyProfile.phone).toBeNull();
    expect(r.body.data!.updateMyProfile.resume).toEqual({ summary: '訂正後の職務要約です。\n二行目。', skills: ['Excel'] });
  });

  it('bad input is BAD_USER_INPUT naming the field, quotes no value, and writes nothing', async () => {
    const [other] = await t.db.db.select({ id: candidates.id, email: candidates.email }).from(candidates).where(eq(candidates.id, DEMO_IDS.openCandidate));
    const before = await stored();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ email: 'not-an-address' }, 'input.email', 'not-an-address'],
      [{ email: other!.email.toUpperCase() }, 'input.email', other!.email],
      [{ fullName: '山田\u0007太郎' }, 'input.fullName', '山田'],
      [{ fullName: 'x'.repeat(101) }, 'input.fullName', 'xxxxxxxxxx'],
      [{ fullNameKana: 'Yamada Taro' }, 'input.fullNameKana', 'Yamada'],
      [{ phone: '12-3456-7890' }, 'input.phone', '3456'],
      [{ address: { postalCode: '12-34567', prefecture: '東京都', city: '千代田区', street: '1-1' } }, 'input.address.postalCode', '34567'],
      [{ address: { postalCode: '100-0001', prefecture: 'Tokyo', city: '千代田区', street: '1-1' } }, 'input.address.prefecture', 'Tokyo'],
      [{ desiredIndustries: ['金融', '宇宙開発'] }, 'input.desiredIndustries[1]', '宇宙開発'],
      [{ desiredPrefectures: ['Atlantis'] }, 'input.desiredPrefectures[0]', 'Atlantis'],
      [{ resume: { summary: 'ok', skills: ['秘密のスキル\u0000'] } }, 'input.resume.skills[0]', '秘密のスキル'],
      [{ fullName: null }, 'input.fullName', 'null'],
      [{}, 'input', 'input.'],
      // A good field with a bad one: nothing at all is written.
      [{ fullName: '正しい 名前', email: 'ok@example.jp', phone: '090-0000-000' }, 'input.phone', '090-0000-000'],
    ];
    for (const [input, field, secret] of cases) {
      const r = await ok(t.query(UPDATE, { token: candidate, variables: { input } }));
      expect(r.body.data?.updateMyProfile ?? null).toBeNull();
      const error = r.body.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(r.body)).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.field).toBe(field);
      expect(error?.message).toContain(`"${field}"`);
      if (secret !== 'null' && secret !== 'input.') expect(JSON.stringify(r.body.errors)).not.toContain(secret);
      // Whose e-mail it is stays unsaid.
      expect(JSON.stringify(r.body.errors)).not.toContain(DEMO_IDS.openCandidate);
    }
    expect(await stored()).toEqual(before);
  });

  it('is the candidate\'s own: other roles are refused and write nothing', async () => {
    const before = await stored();
    for (const [token, purpose] of [[employer, undefined], [support, 'SUPPORT']] as const) {
      const r = await ok(t.query(UPDATE, { token, purpose, variables: { input: { fullName: '他人' } } }));
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await stored()).toEqual(before);
  });
});
