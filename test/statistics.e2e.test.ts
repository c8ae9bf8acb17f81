// Analysts' statistics end to end: real HTTP through the gateway to the users subgraph, on a copy of the seeded
// database (PGlite, or PostgreSQL with TEST_DATABASE_URL). The oracle is computed here from the raw rows.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addresses, candidates, residenceCards, resumes } from '../db/schema/users.ts';
import { privacyBudgets, statisticsReleases } from '../db/schema/statistics.ts';
import { subjects } from '../db/schema/privacy.ts';
import { accessLog } from '../db/schema/audit.ts';
import { readPrivacyIndex } from '../directives/policy.ts';
import { parse } from 'graphql';
import { decide } from '../directives/decide.ts';
import { normalizeBudget } from '../directives/statistics/accountant.ts';
import {
  CANDIDATE_DIMENSIONS,
  CONTRIBUTION_BOUNDS,
  INDUSTRY_DOMAIN,
  PREFECTURE_DOMAIN,
  SKILL_DOMAIN,
  domainOf,
  type CandidateDimension,
} from '../directives/statistics/domains.ts';
import { expectedAbsoluteError } from '../directives/statistics/mechanism.ts';
import { analystBudgetOwner, GLOBAL_BUDGET_OWNER, releaseStatistics } from '../ledger/budget.ts';
import { knownDomainCells } from '../subgraphs/common/statistics.ts';
import { countCandidates } from '../subgraphs/users/statistics.ts';
import { countApplications, countJobPostings } from '../subgraphs/employers/statistics.ts';
import { CAMPAIGN_REACH_SENSITIVITY, countCampaignReach } from '../subgraphs/marketing/statistics.ts';
import { campaignRecipients, campaigns } from '../db/schema/marketing.ts';
import { CAMPAIGN_CHANNEL_DOMAIN, CAMPAIGN_OUTCOME_DOMAIN } from '../directives/statistics/domains.ts';
import { applications, jobs } from '../db/schema/employers.ts';
import { APPLICATION_STATUS_DOMAIN, JOB_CATEGORY_DOMAIN } from '../directives/statistics/domains.ts';
import { startTestSystem, type TestSystem } from './system.ts';

let t: TestSystem;
// Generous cumulative caps: the global one is shared by every test of the file (the accountant's tests cover it).
const BUDGET = { epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 10, epsilonGlobalPerPeriod: 40, epsilonPerAnalystTotal: 10_000, epsilonGlobalTotal: 100_000 };

beforeAll(async () => {
  t = await startTestSystem({ statistics: BUDGET });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const TABLE = `query ($g: CandidateDimension!, $f: CandidateStatisticsFilter) {
  candidateStatistics(groupBy: $g, filter: $f) {
    dimensions epsilon epsilonCharged epsilonRemaining sensitivity suppressionThreshold expectedAbsoluteError period reused releaseId
    cells { group count suppressed }
  }
}`;

/** The oracle: every active candidate's dimensions, read from the raw rows and computed here, not in SQL. */
async function oracleRows(now: Date) {
  const db = t.db.db;
  const rows = await db
    .select({ c: candidates, prefecture: addresses.prefecture, card: residenceCards.candidateId, skills: resumes.skills, standing: subjects.standing })
    .from(candidates)
    .leftJoin(addresses, eq(addresses.candidateId, candidates.id))
    .leftJoin(residenceCards, eq(residenceCards.candidateId, candidates.id))
    .leftJoin(resumes, eq(resumes.candidateId, candidates.id))
    .leftJoin(subjects, eq(subjects.subjectId, candidates.id));
  const today = now.toISOString().slice(0, 10);
  const ageBand = (birth: string | null) => {
    if (!birth) return 'UNKNOWN';
    let age = Number(today.slice(0, 4)) - Number(birth.slice(0, 4));
    if (today.slice(5) < birth.slice(5)) age--;
    if (age < 20) return 'UNDER_20';
    if (age >= 60) return '60+';
    const lo = Math.floor(age / 10) * 10;
    return `${lo}-${lo + 9}`;
  };
  return rows
    .filter((r) => r.standing === 'ACTIVE')
    .map((r) => ({
      id: r.c.id,
      PREFECTURE: [r.prefecture ?? 'UNKNOWN'],
      AGE_BAND: [ageBand(r.c.birthDate)],
      NATIONALITY_GROUP: [r.card ? 'FOREIGN' : 'JAPANESE'],
      REGISTRATION_MONTH: [r.c.createdAt.toISOString().slice(0, 7)],
      INDUSTRY: r.c.desiredIndustries.filter((v) => (INDUSTRY_DOMAIN as readonly string[]).includes(v)).slice(0, CONTRIBUTION_BOUNDS.industriesPerCandidate),
      SKILL: (r.skills ?? []).filter((v) => (SKILL_DOMAIN as readonly string[]).includes(v)).slice(0, CONTRIBUTION_BOUNDS.skillsPerCandidate),
      allIndustries: r.c.desiredIndustries,
      allSkills: r.skills ?? [],
    }));
}

function oracleCounts(rows: Awaited<ReturnType<typeof oracleRows>>, groupBy: CandidateDimension, filter: Partial<Record<CandidateDimension, string>> = {}) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const matches = Object.entries(filter).every(([d, v]) =>
      d === 'INDUSTRY' ? r.allIndustries.includes(v) : d === 'SKILL' ? r.allSkills.includes(v) : r[d as CandidateDimension][0] === v,
    );
    if (!matches) continue;
    for (const g of r[groupBy]) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

describe('candidate statistics: counting', () => {
  it('counts every dimension in PostgreSQL exactly as the rows say, active candidates only, multi-valued dimensions clamped', async () => {
    const db = t.db.db;
    const now = new Date();
    // One candidate lists six vocabulary skills and a free-text one: only the first three vocabulary skills count.
    const [someone] = await db.select({ id: resumes.candidateId }).from(resumes).limit(1);
    await db.update(resumes).set({ skills: ['自由記述のスキル', 'Excel', 'Word', 'Java', 'Python', 'SQL', 'AWS'] }).where(eq(resumes.candidateId, someone!.id));
    // One candidate has left the service: no longer counted.
    const [departed] = await db.select({ id: candidates.id }).from(candidates).where(sql`${candidates.id} <> ${someone!.id}`).limit(1);
    await db.update(subjects).set({ standing: 'WITHDRAWN' }).where(eq(subjects.subjectId, departed!.id));

    const rows = await oracleRows(now);
    expect(rows.some((r) => r.id === departed!.id)).toBe(false);
    expect(rows.find((r) => r.id === someone!.id)!.SKILL).toEqual(['Excel', 'Word', 'Java']);
    const total = rows.length;
    for (const dimension of Object.keys(CANDIDATE_DIMENSIONS) as CandidateDimension[]) {
      const counted = await countCandidates(db, dimension, {}, now);
      expect(Object.fromEntries(counted), dimension).toEqual(Object.fromEntries(oracleCounts(rows, dimension)));
      const cells = [...counted.values()].reduce((a, b) => a + b, 0);
      if (CANDIDATE_DIMENSIONS[dimension].contribution === 1) expect(cells, dimension).toBe(total);
      else expect(cells, dimension).toBeLessThanOrEqual(total * CANDIDATE_DIMENSIONS[dimension].contribution);
    }
    expect((await countCandidates(db, 'SKILL', {}, now)).get('自由記述のスキル')).toBeUndefined();
    const filtered = await countCandidates(db, 'AGE_BAND', { nationalityGroup: 'FOREIGN', skill: 'Excel' }, now);
    expect(Object.fromEntries(filtered)).toEqual(Object.fromEntries(oracleCounts(rows, 'AGE_BAND', { NATIONALITY_GROUP: 'FOREIGN', SKILL: 'Excel' })));
  });

  it('releases every value of the known domain, suppressed or not, with the table’s sensitivity', async () => {
    const token = await t.token({ role: 'analyst' });
    const res = await t.query(TABLE, { token, variables: { g: 'PREFECTURE' } });
    expect(res.body.errors).toBeUndefined();
    const table = res.body.data!.candidateStatistics;
    expect(table.cells.map((c: { group: string[] }) => c.group[0])).toEqual([...PREFECTURE_DOMAIN, 'UNKNOWN']);
    for (const c of table.cells) {
      expect(c.suppressed).toBe(c.count === null);
      if (!c.suppressed) expect(c.count).toBeGreaterThanOrEqual(10);
    }
    expect(table.cells.some((c: { suppressed: boolean }) => c.suppressed)).toBe(true);
    expect(table.cells.some((c: { suppressed: boolean }) => !c.suppressed)).toBe(true);
    expect(table).toMatchObject({ dimensions: ['PREFECTURE'], epsilon: 1, epsilonCharged: 1, sensitivity: 1, suppressionThreshold: 10, reused: false });
    const skills = await t.query(TABLE, { token, variables: { g: 'SKILL', f: { nationalityGroup: 'FOREIGN' } } });
    expect(skills.body.data!.candidateStatistics.cells.map((c: { group: string[] }) => c.group[0])).toEqual([...SKILL_DOMAIN]);
    expect(skills.body.data!.candidateStatistics.sensitivity).toBe(CONTRIBUTION_BOUNDS.skillsPerCandidate);
    const months = await t.query(TABLE, { token, variables: { g: 'REGISTRATION_MONTH' } });
    expect(months.body.data!.candidateStatistics.cells.map((c: { group: string[] }) => c.group[0])).toEqual(domainOf(CANDIDATE_DIMENSIONS.REGISTRATION_MONTH, new Date()));
  });

  it('refuses a filter value outside its domain without echoing it, and charges nothing', async () => {
    const token = await t.token({ role: 'analyst' });
    const before = (await t.query('{ privacyBudget { epsilonSpent } }', { token })).body.data!.privacyBudget.epsilonSpent;
    const res = await t.query(TABLE, { token, variables: { g: 'AGE_BAND', f: { prefecture: 'lan.nguyen@example.com' } } });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.body)).not.toContain('lan.nguyen');
    expect((await t.query('{ privacyBudget { epsilonSpent } }', { token })).body.data!.privacyBudget.epsilonSpent).toBe(before);
  });
});

describe('the application funnel', () => {
  it('counts status × job category in PostgreSQL as the rows say, at most five applications per active candidate', async () => {
    const db = t.db.db;
    // One active candidate applies to seven jobs: only the five newest count.
    const [active] = await db.select({ id: subjects.subjectId }).from(subjects).where(eq(subjects.standing, 'ACTIVE')).limit(1);
    const seven = await db.select({ id: jobs.id }).from(jobs).limit(7);
    await db.insert(applications).values(seven.map((j, i) => ({ id: crypto.randomUUID(), jobId: j.id, candidateId: active!.id, status: 'SUBMITTED' as const, createdAt: new Date(Date.now() - i * 86_400_000) })));
    const rows = await db
      .select({ candidateId: applications.candidateId, id: applications.id, status: applications.status, createdAt: applications.createdAt, category: jobs.category, standing: subjects.standing })
      .from(applications)
      .innerJoin(jobs, eq(jobs.id, applications.jobId))
      .leftJoin(subjects, eq(subjects.subjectId, applications.candidateId));
    const byCandidate = new Map<string, typeof rows>();
    for (const r of rows.filter((r) => r.standing === 'ACTIVE')) byCandidate.set(r.candidateId, [...(byCandidate.get(r.candidateId) ?? []), r]);
    const expected = new Map<string, number>();
    let clamped = 0;
    for (const list of byCandidate.values()) {
      list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      if (list.length > CONTRIBUTION_BOUNDS.applicationsPerCandidate) clamped++;
      for (const r of list.slice(0, CONTRIBUTION_BOUNDS.applicationsPerCandidate)) {
        const key = `${r.status}\u0000${r.category}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(await countApplications(db, 'JOB_CATEGORY', {}))).toEqual(Object.fromEntries(expected));
    expect(rows.length).toBeGreaterThan(0);
    expect(clamped).toBeGreaterThanOrEqual(1);
  });

  it('releases every status × category cell of the known domain over HTTP', async () => {
    const token = await t.token({ role: 'analyst' });
    const res = await t.query('{ applicationFunnel(groupBy: JOB_CATEGORY) { dimensions sensitivity cells { group count suppressed } } }', { token });
    expect(res.body.errors).toBeUndefined();
    const table = res.body.data!.applicationFunnel;
    expect(table.dimensions).toEqual(['STATUS', 'JOB_CATEGORY']);
    expect(table.sensitivity).toBe(CONTRIBUTION_BOUNDS.applicationsPerCandidate);
    expect(table.cells.map((c: { group: string[] }) => c.group)).toEqual(APPLICATION_STATUS_DOMAIN.flatMap((s) => JOB_CATEGORY_DOMAIN.map((c) => [s, c])));
    for (const c of table.cells) expect(c.suppressed).toBe(c.count === null);
    const support = await t.query('{ applicationFunnel(groupBy: MONTH) { dimensions } }', { token: await t.token({ role: 'support' }), purpose: 'SUPPORT' });
    expect(support.body.data).toEqual({ applicationFunnel: null });
    expect(support.body.errors?.[0]?.extensions).toMatchObject({ code: 'PII_REDACTED', coordinate: 'Query.applicationFunnel' });
  });
});

describe('job postings', () => {
  it('counts open postings by category × prefecture in PostgreSQL as the rows say, filters included', async () => {
    const rows = await t.db.db.select({ category: jobs.category, prefecture: jobs.prefecture, status: jobs.status }).from(jobs);
    const open = rows.filter((r) => r.status === 'OPEN');
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThan(rows.length + 1);
    const expected = new Map<string, number>();
    for (const r of open) expected.set(`${r.category}\u0000${r.prefecture}`, (expected.get(`${r.category}\u0000${r.prefecture}`) ?? 0) + 1);
    expect(Object.fromEntries(await countJobPostings(t.db.db, {}))).toEqual(Object.fromEntries(expected));
    const prefecture = open[0]!.prefecture;
    const filtered = Object.fromEntries([...expected].filter(([k]) => k.endsWith(`\u0000${prefecture}`)));
    expect(Object.fromEntries(await countJobPostings(t.db.db, { prefecture }))).toEqual(filtered);
  });

  it('releases every category × prefecture cell of the known domains over HTTP, to analysts only, and refuses an unknown filter value', async () => {
    const token = await t.token({ role: 'analyst' });
    const res = await t.query('{ jobPostingStatistics { dimensions sensitivity epsilonCharged cells { group count suppressed } } }', { token });
    expect(res.body.errors).toBeUndefined();
    const table = res.body.data!.jobPostingStatistics;
    expect(table.dimensions).toEqual(['JOB_CATEGORY', 'PREFECTURE']);
    expect(table.sensitivity).toBe(CONTRIBUTION_BOUNDS.cellsPerPosting);
    expect(table.cells.map((c: { group: string[] }) => c.group)).toEqual(JOB_CATEGORY_DOMAIN.flatMap((c) => PREFECTURE_DOMAIN.map((p) => [c, p])));
    for (const c of table.cells) {
      expect(c.suppressed).toBe(c.count === null);
      if (c.count !== null) expect(c.count).toBeGreaterThanOrEqual(10);
    }
    const bad = await t.query('{ jobPostingStatistics(filter: { prefecture: "Atlantis-1234" }) { dimensions } }', { token });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.body)).not.toContain('Atlantis-1234');
    const support = await t.query('{ jobPostingStatistics { dimensions } }', { token: await t.token({ role: 'support' }), purpose: 'SUPPORT' });
    expect(support.body.data).toEqual({ jobPostingStatistics: null });
    expect(support.body.errors?.[0]?.extensions).toMatchObject({ code: 'PII_REDACTED', coordinate: 'Query.jobPostingStatistics' });
  });
});

describe('campaign reach and response', () => {
  it('counts sent and opened deliveries by channel as the rows say, at most three per active candidate', async () => {
    const db = t.db.db;
    const rows = await db
      .select({ candidateId: campaignRecipients.candidateId, campaignId: campaignRecipients.campaignId, sentAt: campaignRecipients.sentAt, openedAt: campaignRecipients.openedAt, channel: campaigns.channel, standing: subjects.standing })
      .from(campaignRecipients)
      .innerJoin(campaigns, eq(campaigns.id, campaignRecipients.campaignId))
      .leftJoin(subjects, eq(subjects.subjectId, campaignRecipients.candidateId));
    const byCandidate = new Map<string, typeof rows>();
    for (const r of rows.filter((r) => r.standing === 'ACTIVE' && r.sentAt)) byCandidate.set(r.candidateId, [...(byCandidate.get(r.candidateId) ?? []), r]);
    const expected = new Map<string, number>();
    for (const list of byCandidate.values()) {
      list.sort((a, b) => b.sentAt!.getTime() - a.sentAt!.getTime() || (a.campaignId < b.campaignId ? -1 : 1));
      for (const r of list.slice(0, CONTRIBUTION_BOUNDS.deliveriesPerCandidate)) {
        for (const outcome of r.openedAt ? ['SENT', 'OPENED'] : ['SENT']) expected.set(`${outcome}\u0000${r.channel}`, (expected.get(`${outcome}\u0000${r.channel}`) ?? 0) + 1);
      }
    }
    expect(expected.size).toBeGreaterThan(0);
    // The clamp is exercised: some candidate has more deliveries than count.
    expect([...byCandidate.values()].some((list) => list.length > CONTRIBUTION_BOUNDS.deliveriesPerCandidate)).toBe(true);
    expect(Object.fromEntries(await countCampaignReach(db, 'CHANNEL', {}))).toEqual(Object.fromEntries(expected));
  });

  it('releases every outcome × channel cell over HTTP, to analysts only', async () => {
    const res = await t.query('{ campaignReach(groupBy: CHANNEL) { dimensions sensitivity cells { group count suppressed } } }', { token: await t.token({ role: 'analyst' }) });
    expect(res.body.errors).toBeUndefined();
    const table = res.body.data!.campaignReach;
    expect(table.dimensions).toEqual(['OUTCOME', 'CHANNEL']);
    expect(table.sensitivity).toBe(CAMPAIGN_REACH_SENSITIVITY);
    expect(table.cells.map((c: { group: string[] }) => c.group)).toEqual(CAMPAIGN_OUTCOME_DOMAIN.flatMap((o) => CAMPAIGN_CHANNEL_DOMAIN.map((c) => [o, c])));
    const marketer = await t.query('{ campaignReach(groupBy: CHANNEL) { dimensions } }', { token: await t.token({ role: 'marketer' }), purpose: 'MARKETING' });
    expect(marketer.body.data).toEqual({ campaignReach: null });
    expect(marketer.body.errors?.[0]?.extensions).toMatchObject({ code: 'PII_REDACTED', coordinate: 'Query.campaignReach' });
  });
});

describe('candidate statistics: accuracy and the differencing attack (on a test budget, one fresh period per release)', () => {
  const budget = normalizeBudget({ epsilonPerQuery: 0.5, epsilonPerAnalystPerPeriod: 1, epsilonGlobalPerPeriod: 1, epsilonPerAnalystTotal: 100_000, epsilonGlobalTotal: 100_000 });
  const period = (i: number) => new Date(Date.UTC(3000 + Math.floor(i / 12), i % 12, 15));

  it('has a mean absolute error per cell within what ε predicts (neither suppress-everything nor huge noise passes)', async () => {
    const now = new Date();
    const truth = await countCandidates(t.db.db, 'AGE_BAND', {}, now);
    const cells = knownDomainCells([domainOf(CANDIDATE_DIMENSIONS.AGE_BAND, now)], truth);
    const large = cells.filter((c) => c.count >= 40);
    expect(large.length).toBeGreaterThanOrEqual(3);
    let error = 0;
    let n = 0;
    for (let i = 0; i < 150; i++) {
      const { cells: released } = await releaseStatistics(t.db.db, {
        analyst: 'accuracy-analyst', query: { table: 'candidates', groupBy: 'AGE_BAND', filter: {} }, sensitivity: 1, budget, now: period(i), count: async () => cells,
      });
      for (const c of released) {
        const trueCount = cells.find((x) => x.key[0] === c.key[0])!.count;
        if (trueCount < 40) continue;
        expect(c.suppressed).toBe(false);
        error += Math.abs(c.count! - trueCount);
        n++;
      }
    }
    const predicted = expectedAbsoluteError(0.5, 1); // ≈ 1.04
    expect(error / n).toBeGreaterThan(predicted * 0.75);
    expect(error / n).toBeLessThan(predicted * 1.25);
  }, 120_000);

  it('bounds the advantage of a differencing attack by what ε allows', async () => {
    // Two neighbouring databases: the target candidate lives in 東京都, or not. The attacker knows every other
    // candidate's count (the strongest background knowledge) and asks the prefecture table with and without a filter
    // that excludes the target's age band, guessing from the difference; two releases of ε = 0.5 each.
    const now = new Date();
    const base = await countCandidates(t.db.db, 'PREFECTURE', {}, now);
    const tokyo = base.get('東京都')!;
    const world = (present: boolean) => knownDomainCells([domainOf(CANDIDATE_DIMENSIONS.PREFECTURE, now)], new Map([...base, ['東京都', tokyo - 1 + (present ? 1 : 0)]]));
    const excluded = knownDomainCells([domainOf(CANDIDATE_DIMENSIONS.PREFECTURE, now)], new Map([...base, ['東京都', tokyo - 1 - 20]]));
    const trials = 300;
    const guessedIn = { present: 0, absent: 0 };
    for (const present of [true, false]) {
      for (let i = 0; i < trials; i++) {
        const at = period(i + (present ? 0 : trials) + 200);
        const release = (cells: typeof excluded, filter: Record<string, string>) =>
          releaseStatistics(t.db.db, { analyst: 'attacker', query: { table: 'candidates', groupBy: 'PREFECTURE', filter }, sensitivity: 1, budget, now: at, count: async () => cells });
        const withTarget = (await release(world(present), {})).cells.find((c) => c.key[0] === '東京都')!.count!;
        const without = (await release(excluded, { ageBand: '60+' })).cells.find((c) => c.key[0] === '東京都')!.count!;
        // Background knowledge: the difference is 20 without the target, 21 with it.
        if (withTarget - without >= 20.5) guessedIn[present ? 'present' : 'absent']++;
      }
    }
    const advantage = guessedIn.present / trials - guessedIn.absent / trials;
    // ε-DP over both releases (ε = 1 in total) bounds any test's advantage by (e^ε − 1) / (e^ε + 1) ≈ 0.46; plus sampling slack.
    const bound = (Math.exp(1) - 1) / (Math.exp(1) + 1);
    expect(advantage).toBeLessThan(bound + 0.1);
    // Without noise the same test would be right every time: the attack itself works on the true counts.
    const cellOf = (cells: typeof excluded) => cells.find((c) => c.key[0] === '東京都')!.count;
    expect(cellOf(world(true)) - cellOf(excluded)).toBeGreaterThanOrEqual(20.5);
    expect(cellOf(world(false)) - cellOf(excluded)).toBeLessThan(20.5);
    // The attacker's budget allowed exactly the two releases per period and no more.
    await expect(releaseStatistics(t.db.db, { analyst: 'attacker', query: { table: 'candidates', groupBy: 'AGE_BAND', filter: {} }, sensitivity: 1, budget, now: period(200), count: async () => excluded })).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED' });
  }, 300_000);
});

describe('the privacy budget', () => {
  it('50 concurrent identical and different queries from one analyst never spend more than the budget; repeats get the stored answer', async () => {
    const analyst = `concurrent-${crypto.randomUUID()}`;
    const token = await t.token({ role: 'analyst', sub: analyst });
    const filters = [...domainOf(CANDIDATE_DIMENSIONS.AGE_BAND, new Date())].flatMap((ageBand) => [{ ageBand }, { ageBand, nationalityGroup: 'FOREIGN' }]);
    const requests = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0 ? { g: 'PREFECTURE', f: { nationalityGroup: 'JAPANESE' } } : { g: 'INDUSTRY', f: filters[(i >> 1) % filters.length] },
    );
    const responses = await Promise.all(requests.map((variables) => t.query(TABLE, { token, variables })));
    const answered = responses.filter((r) => r.body.data?.candidateStatistics);
    const exhausted = responses.filter((r) => r.body.errors?.[0]?.extensions?.code === 'PRIVACY_BUDGET_EXHAUSTED');
    expect(answered.length + exhausted.length).toBe(50);
    const charged = answered.reduce((sum, r) => sum + r.body.data!.candidateStatistics.epsilonCharged, 0);
    expect(charged).toBeLessThanOrEqual(10);
    expect(exhausted.length).toBeGreaterThan(0);
    for (const r of exhausted) {
      expect(r.body.errors![0]!.extensions).toMatchObject({ epsilonRemaining: expect.any(Number), resetsAt: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/) });
      expect(r.body.errors![0]!.extensions!.epsilonRemaining).toBeLessThan(1);
    }
    // The identical question: stored once, so it is answered every time or (budget spent before it ran) never;
    // every answer is the same release with the same cells, charged once.
    const identical = responses.filter((r, i) => requests[i]!.g === 'PREFECTURE' && r.body.data?.candidateStatistics).map((r) => r.body.data!.candidateStatistics);
    expect([0, 25]).toContain(identical.length);
    for (const table of identical) expect(table.cells).toEqual(identical[0].cells);
    expect(new Set(identical.map((x) => x.releaseId)).size).toBeLessThanOrEqual(1);
    expect(identical.filter((x) => !x.reused).length).toBe(identical.length > 0 ? 1 : 0);
    const [row] = await t.db.db.select().from(privacyBudgets).where(and(eq(privacyBudgets.owner, analystBudgetOwner(analyst))));
    expect(row!.epsilonSpentMilli).toBeLessThanOrEqual(10_000);
    const releases = await t.db.db.select().from(statisticsReleases).where(eq(statisticsReleases.analyst, analyst));
    expect(releases.reduce((s, r) => s + r.epsilonMilli, 0)).toBe(row!.epsilonSpentMilli);
    expect(Math.round(charged * 1000)).toBe(row!.epsilonSpentMilli);
    const standing = (await t.query('{ privacyBudget { epsilonSpent epsilonRemaining resetsAt } }', { token })).body.data!.privacyBudget;
    expect(standing.epsilonSpent).toBe(row!.epsilonSpentMilli / 1000);
    expect(standing.epsilonRemaining).toBe(Math.max(0, 10 - standing.epsilonSpent));
    // A repeat after the budget is spent still gets the stored answer, at no cost.
    const first = answered[0]!;
    const repeat = await t.query(TABLE, { token, variables: requests[responses.indexOf(first)] });
    expect(repeat.body.data!.candidateStatistics).toMatchObject({ reused: true, epsilonCharged: 0, cells: first.body.data!.candidateStatistics.cells });
    // The access log holds every answer with the ε it charged: each stored release charged once, in total what was spent.
    const logged = await t.db.db.select().from(accessLog).where(and(eq(accessLog.event, 'STATISTICS_RELEASE'), eq(accessLog.callerSub, analyst)));
    expect(logged).toHaveLength(answered.length + 1);
    const chargedRows = logged.filter((r) => (r.detail.epsilonCharged as number) > 0);
    expect(chargedRows.map((r) => Number(r.detail.releaseId)).sort((a, b) => a - b)).toEqual(releases.map((r) => r.id).sort((a, b) => a - b));
    expect(Math.round(logged.reduce((s, r) => s + (r.detail.epsilonCharged as number), 0) * 1000)).toBe(row!.epsilonSpentMilli);
  }, 120_000);

  it('caps all analysts together: a second analyst is refused once the global budget is spent, and a subject id cannot name the global row', async () => {
    const budget = normalizeBudget({ epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 2, epsilonGlobalPerPeriod: 3, epsilonPerAnalystTotal: 10_000, epsilonGlobalTotal: 100_000 });
    const now = new Date(Date.UTC(2998, 5, 1));
    const release = (analyst: string, groupBy: string) =>
      releaseStatistics(t.db.db, { analyst, query: { table: 'candidates', groupBy, filter: {} }, sensitivity: 1, budget, now, count: async () => [{ key: ['a'], count: 100 }] });
    await release('first', 'PREFECTURE');
    await release('first', 'AGE_BAND');
    await release(GLOBAL_BUDGET_OWNER, 'SKILL');
    await expect(release('second', 'INDUSTRY')).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED', details: { epsilonRemaining: 0, resetsAt: '2998-07-01T00:00:00.000Z' } });
    // The stored answer of a question already asked this period is still free for anyone.
    expect((await release('second', 'PREFECTURE')).release).toMatchObject({ reused: true, epsilon: 0 });
    const [global] = await t.db.db.select().from(privacyBudgets).where(and(eq(privacyBudgets.owner, GLOBAL_BUDGET_OWNER), eq(privacyBudgets.period, '2998-06')));
    expect(global!.epsilonSpentMilli).toBe(3000);
  });

  it('bounds an analyst over every month: a fresh month brings nothing once the cumulative cap is spent, and nothing resets', async () => {
    const budget = normalizeBudget({ epsilonPerQuery: 1, epsilonPerAnalystPerPeriod: 2, epsilonGlobalPerPeriod: 40, epsilonPerAnalystTotal: 3, epsilonGlobalTotal: 100_000 });
    const analyst = `lifetime-${crypto.randomUUID()}`;
    const release = (month: number, groupBy: string) =>
      releaseStatistics(t.db.db, { analyst, query: { table: 'candidates', groupBy, filter: { analyst } }, sensitivity: 1, budget, now: new Date(Date.UTC(2997, month, 2)), count: async () => [{ key: ['a'], count: 100 }] });
    await release(0, 'PREFECTURE');
    const second = await release(0, 'AGE_BAND');
    expect(second.standing).toMatchObject({ epsilonRemaining: 0, resetsAt: new Date(Date.UTC(2997, 1, 1)) });
    const third = await release(1, 'PREFECTURE');
    expect(third.standing).toMatchObject({ epsilonSpent: 1, epsilonRemaining: 0, resetsAt: null });
    await expect(release(1, 'SKILL')).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED', details: { epsilonRemaining: 0, resetsAt: null } });
    await expect(release(7, 'SKILL')).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED', details: { resetsAt: null } });
    const [total] = await t.db.db.select().from(privacyBudgets).where(and(eq(privacyBudgets.owner, analystBudgetOwner(analyst)), eq(privacyBudgets.period, 'total')));
    expect(total!.epsilonSpentMilli).toBe(3000);
  });

  it('refunds a failed release: nothing is charged or stored', async () => {
    const budget = normalizeBudget(BUDGET);
    const now = new Date(Date.UTC(2999, 0, 1));
    await expect(
      releaseStatistics(t.db.db, { analyst: 'refund', query: { table: 'candidates', groupBy: 'SKILL', filter: {} }, sensitivity: 3, budget, now, count: async () => { throw new Error('the count failed'); } }),
    ).rejects.toThrow('the count failed');
    expect(await t.db.db.select().from(privacyBudgets).where(eq(privacyBudgets.owner, analystBudgetOwner('refund')))).toEqual([]);
    expect(await t.db.db.select().from(statisticsReleases).where(eq(statisticsReleases.analyst, 'refund'))).toEqual([]);
  });

  it('keeps releases append-only', async () => {
    await expect(t.db.db.execute(sql`update privacy.statistics_releases set epsilon_milli = 0`)).rejects.toThrow();
    await expect(t.db.db.execute(sql`delete from privacy.statistics_releases`)).rejects.toThrow();
  });
});

describe('every release is in the access log with its ε', () => {
  it('writes one STATISTICS_RELEASE row per released table before the answer leaves, ε 0 for a stored answer, and no count, coordinate or subject', async () => {
    const analyst = `logged-${crypto.randomUUID()}`;
    const token = await t.token({ role: 'analyst', sub: analyst });
    const both = `query Both { candidateStatistics(groupBy: PREFECTURE, filter: { nationalityGroup: "FOREIGN" }) { releaseId epsilonCharged cells { count } }
      applicationFunnel(groupBy: MONTH) { releaseId epsilonCharged } }`;
    const first = await t.query(both, { token });
    expect(first.body.errors).toBeUndefined();
    // Subgraph extensions are the gateway's: the client sees none.
    expect(JSON.stringify(first.body.extensions ?? {})).not.toContain('statisticsReleases');
    const again = await t.query(both, { token });
    expect(again.body.data!.candidateStatistics.epsilonCharged).toBe(0);
    const rows = await t.db.db
      .select()
      .from(accessLog)
      .where(and(eq(accessLog.event, 'STATISTICS_RELEASE'), eq(accessLog.callerSub, analyst)))
      .orderBy(accessLog.occurredAt, accessLog.seq);
    expect(rows).toHaveLength(4);
    const bySubgraph = (r: (typeof rows)[number]) => r.detail.subgraph as string;
    const answers = [first, again].flatMap((res) => [
      { subgraph: 'users', ...res.body.data!.candidateStatistics },
      { subgraph: 'employers', ...res.body.data!.applicationFunnel },
    ]);
    const logged = rows.map((r) => ({ subgraph: bySubgraph(r), releaseId: r.detail.releaseId, epsilonCharged: r.detail.epsilonCharged, reused: r.detail.reused }));
    for (const answer of answers) {
      expect(logged).toContainEqual({ subgraph: answer.subgraph, releaseId: answer.releaseId, epsilonCharged: answer.epsilonCharged, reused: answer.epsilonCharged === 0 });
    }
    for (const row of rows) {
      expect(row).toMatchObject({ role: 'analyst', purpose: 'ANALYTICS', outcome: 'RELEASED', operationName: 'Both', released: [], subjects: [], masked: [], withheld: {} });
      expect(row.detail).toMatchObject({ epsilon: 1, period: expect.stringMatching(/^\d{4}-\d{2}$/), queryKey: expect.any(String) });
      // The record names the release, never a count.
      expect(Object.keys(row.detail).sort()).toEqual(['epsilon', 'epsilonCharged', 'period', 'queryKey', 'releaseId', 'reused', 'subgraph']);
    }
    // The same request id as the answer's header would carry: both releases of one request share it.
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(2);
  });

  it('logs nothing for a refused release (spent budget) and charges nothing', async () => {
    const analyst = `spent-${crypto.randomUUID()}`;
    const token = await t.token({ role: 'analyst', sub: analyst });
    const months = [...domainOf(CANDIDATE_DIMENSIONS.REGISTRATION_MONTH, new Date())];
    for (let i = 0; i < 10; i++) {
      const res = await t.query(TABLE, { token, variables: { g: 'PREFECTURE', f: { registrationMonth: months[i] } } });
      expect(res.body.errors).toBeUndefined();
    }
    const refused = await t.query(TABLE, { token, variables: { g: 'PREFECTURE', f: { registrationMonth: months[10] } } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('PRIVACY_BUDGET_EXHAUSTED');
    const rows = await t.db.db.select().from(accessLog).where(and(eq(accessLog.event, 'STATISTICS_RELEASE'), eq(accessLog.callerSub, analyst)));
    expect(rows).toHaveLength(10);
    expect(rows.reduce((s, r) => s + (r.detail.epsilonCharged as number), 0)).toBe(10);
  });
});

describe('who reaches statistics', () => {
  it('no other role or purpose reaches a statistics field; strict mode rejects it', async () => {
    const callers = [
      { role: 'support', purpose: 'SUPPORT' },
      { role: 'compliance', purpose: 'LEGAL_OBLIGATION', headers: { 'x-legal-basis': 'Tokyo District Court 2026(wa)123' } },
      { role: 'marketer', purpose: 'MARKETING' },
      { role: 'employer', purpose: 'EMPLOYER_DISCLOSURE', org: '00000000-0000-4000-8000-000000000001' },
      { role: 'candidate', purpose: 'SERVICE_PROVISION' },
    ] as const;
    for (const c of callers) {
      const token = await t.token({ role: c.role, org: 'org' in c ? c.org : null });
      const options = { token, purpose: c.purpose, headers: 'headers' in c ? { ...c.headers } : {} };
      const res = await t.query(
        `{ candidateStatistics(groupBy: PREFECTURE) { cells { count } } privacyBudget { epsilonSpent }
           applicationFunnel(groupBy: MONTH) { cells { count } } jobPostingStatistics { cells { count } } campaignReach(groupBy: CHANNEL) { cells { count } } }`,
        options,
      );
      expect(res.body.data, c.role).toEqual({ candidateStatistics: null, privacyBudget: null, applicationFunnel: null, jobPostingStatistics: null, campaignReach: null });
      expect(res.body.errors?.map((e) => [e.extensions?.code, e.extensions?.coordinate]).sort(), c.role).toEqual([
        ['PII_REDACTED', 'Query.applicationFunnel'],
        ['PII_REDACTED', 'Query.campaignReach'],
        ['PII_REDACTED', 'Query.candidateStatistics'],
        ['PII_REDACTED', 'Query.jobPostingStatistics'],
        ['PII_REDACTED', 'Query.privacyBudget'],
      ]);
      const strict = await t.query('{ candidateStatistics(groupBy: PREFECTURE) { cells { count } } }', { ...options, headers: { ...options.headers, 'x-privacy-mode': 'strict' } });
      expect(strict.body.errors?.[0]?.extensions?.code, c.role).toBe('OPERATION_REJECTED');
    }
  });

  it('no analyst request reaches a row-level field: every personal field is withheld under ANALYTICS', async () => {
    const { index } = readPrivacyIndex(parse(t.system.supergraphSdl));
    const personal = [...index.fields.values()].filter((f) => f.kind === 'pii');
    expect(personal.length).toBeGreaterThan(20);
    for (const f of personal) expect(decide(f, { role: 'analyst', purpose: 'ANALYTICS' }).kind).toBe('deny');
    const token = await t.token({ role: 'analyst' });
    const res = await t.query('{ candidates(first: 5) { nodes { id fullName email birthDate address { prefecture } resume { skills } } } }', { token });
    expect(res.body.data?.candidates?.nodes ?? []).toEqual([]);
    const strict = await t.query('{ candidates(first: 5) { nodes { id email } } candidateStatistics(groupBy: AGE_BAND) { cells { count } } }', { token, headers: { 'x-privacy-mode': 'strict' } });
    expect(strict.body.errors?.[0]?.extensions?.code).toBe('OPERATION_REJECTED');
    expect(strict.body.data ?? null).toBeNull();
  });
});
