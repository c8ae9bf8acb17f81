// Legal holds through the gateway: compliance sets, lists and releases them; everyone else is refused; bad input is
// BAD_USER_INPUT naming the argument (never quoting it) and writes nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { legalBasisHeader } from './privacy-helpers.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const SUBJECT = DEMO_IDS.candidate;
const CASE = 'Tokyo District Court 2026 (wa) 4711';
const SET = 'mutation($s: ID!, $r: String!) { setLegalHold(subjectId: $s, reference: $r) { subjectId reference setBy setAt releasedAt standing } }';
const RELEASE = 'mutation($s: ID!) { releaseLegalHold(subjectId: $s) { subjectId reference releasedBy releasedAt standing } }';

let t: TestSystem;
let compliance: string;
const legal = () => ({ token: compliance, purpose: 'LEGAL_OBLIGATION', headers: legalBasisHeader(CASE) });

async function holdRows(): Promise<number> {
  const result = (await t.db.db.execute(sql`select count(*)::int as n from privacy.legal_holds`)) as unknown;
  const rows = (Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows) as { n: number }[];
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  t = await startTestSystem();
  compliance = await t.token({ role: 'compliance', sub: 'compliance-officer-1' });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('legal holds', () => {
  it('compliance under a legal obligation sets a hold; setting it again returns the standing hold', async () => {
    const res = await t.query(SET, { ...legal(), variables: { s: SUBJECT, r: CASE } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data!.setLegalHold).toMatchObject({ subjectId: SUBJECT, reference: CASE, setBy: 'compliance-officer-1', releasedAt: null, standing: true });
    const again = await t.query(SET, { ...legal(), variables: { s: SUBJECT, r: 'another case' } });
    expect(again.body.data!.setLegalHold).toEqual(res.body.data!.setLegalHold);
    expect(await holdRows()).toBe(1);
  });

  it('compliance under internal audit lists the standing holds', async () => {
    const res = await t.query('{ legalHolds { subjectId reference standing } }', { token: compliance, purpose: 'INTERNAL_AUDIT' });
    expect(res.body.data!.legalHolds).toEqual([{ subjectId: SUBJECT, reference: CASE, standing: true }]);
  });

  it.each([
    ['a malformed subject id', { s: 'not-an-id', r: CASE }, 'subjectId'],
    ['an unknown subject', { s: '00000000-0000-4000-8000-00000000dead', r: CASE }, 'subjectId'],
    ['an empty reference', { s: DEMO_IDS.openCandidate, r: '   ' }, 'reference'],
    ['a reference over 200 characters', { s: SUBJECT, r: `secret-${'x'.repeat(200)}` }, 'reference'],
    ['a reference of two lines', { s: SUBJECT, r: 'secret case\nsecond line' }, 'reference'],
  ])('refuses %s with BAD_USER_INPUT naming the argument, and writes nothing', async (_name, variables, argument) => {
    const before = await holdRows();
    const res = await t.query(SET, { ...legal(), variables });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(res.body.errors?.[0]?.message).toContain(argument);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(await holdRows()).toBe(before);
  });

  it('refuses every other caller, and a legal obligation without its reference', async () => {
    const before = await holdRows();
    const other = DEMO_IDS.openCandidate;
    const support = await t.query(SET, { token: await t.token({ role: 'support' }), purpose: 'SUPPORT', variables: { s: other, r: CASE } });
    expect(support.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const candidate = await t.query(SET, { token: await t.token({ role: 'candidate', sub: other }), variables: { s: other, r: CASE } });
    expect(candidate.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noBasis = await t.query(SET, { token: compliance, purpose: 'LEGAL_OBLIGATION', variables: { s: other, r: CASE } });
    expect(noBasis.status).toBe(403);
    expect(noBasis.body.errors?.[0]?.extensions?.code).toBe('LEGAL_BASIS_REQUIRED');
    const list = await t.query('{ legalHolds { subjectId } }', { token: await t.token({ role: 'support' }), purpose: 'SUPPORT' });
    expect(list.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await holdRows()).toBe(before);
  });

  it('releases the hold, once', async () => {
    const res = await t.query(RELEASE, { ...legal(), variables: { s: SUBJECT } });
    expect(res.body.data!.releaseLegalHold).toMatchObject({ subjectId: SUBJECT, reference: CASE, releasedBy: 'compliance-officer-1', standing: false });
    expect(res.body.data!.releaseLegalHold.releasedAt).toEqual(expect.any(String));
    const again = await t.query(RELEASE, { ...legal(), variables: { s: SUBJECT } });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.releaseLegalHold).toBeNull();
    const list = await t.query('{ legalHolds { subjectId } }', { token: compliance, purpose: 'INTERNAL_AUDIT' });
    expect(list.body.data!.legalHolds).toEqual([]);
    const bad = await t.query(RELEASE, { ...legal(), variables: { s: 'nope' } });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'subjectId' });
  });
});
