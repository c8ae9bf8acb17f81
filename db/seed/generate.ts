import type * as s from '../schema/index.ts';
import type { ImportedConsentEvent } from '../../ledger/store.ts';
import type { SubjectStanding } from '../../directives/standing.ts';
import type { ConsentPurpose } from '../../directives/purposes.ts';
import {
  APPLICATION_REASONS, BUILDINGS, CAMPAIGNS, CAREER_GOALS, COMPANY_STEMS, COMPANY_SUFFIXES, FAMILY_NAMES,
  FEMALE_GIVEN_NAMES, FREE_TEXT_ANSWERS, GENERAL_SKILLS, INDUSTRIES, INDUSTRY_CATEGORIES, JAPANESE_LANGUAGE_SKILLS,
  JOB_BENEFITS, JOB_CATEGORIES, MALE_GIVEN_NAMES, NATIONALITIES, PREFECTURES, RESIDENCE_STATUSES, SURVEYS, TOWNS,
  WORK_ACHIEVEMENTS, type CategoryKey, type Industry, type NameEntry, type Nationality, type Prefecture,
} from './data.ts';
import { DEMO_IDS } from './demo.ts';
import { DAY_MS, isoDate, Rng, WeightedTable, YEAR_MS } from './random.ts';

type CandidateRow = typeof s.candidates.$inferInsert;
type AddressRow = typeof s.addresses.$inferInsert;
type ResidenceCardRow = typeof s.residenceCards.$inferInsert;
type ResumeRow = typeof s.resumes.$inferInsert;
type WorkHistoryRow = typeof s.workHistory.$inferInsert;
type EmployerRow = typeof s.employers.$inferInsert;
type JobRow = typeof s.jobs.$inferInsert & { id: string; employerId: string; postedAt: Date };
type ApplicationRow = typeof s.applications.$inferInsert;
type CampaignRow = typeof s.campaigns.$inferInsert & { id: string; startsAt: Date };
type RecipientRow = typeof s.campaignRecipients.$inferInsert;
type AdIdentifierRow = typeof s.adIdentifiers.$inferInsert;
type SurveyRow = typeof s.surveys.$inferInsert & { id: string; opensAt: Date };
type SurveyResponseRow = typeof s.surveyResponses.$inferInsert;
type ConsentEventRow = typeof s.consentEvents.$inferInsert;
type ConsentSource = ConsentEventRow['source'];

/**
 * How the catalogue grows with the number of candidates N:
 * employers = max(60, floor(N / 33)), jobs = max(300, round(N * 0.15)), applications = round(N * 1.5)
 * (never fewer than the fixtures' own applications); campaigns (12) and surveys (5) are fixed.
 */
export interface Scale {
  candidates: number;
  employers: number;
  jobs: number;
  applications: number;
}

export function scaleFor(candidates: number): Scale {
  return {
    candidates,
    employers: Math.max(60, Math.floor(candidates / 33)),
    jobs: Math.max(300, Math.round(candidates * 0.15)),
    applications: Math.round(candidates * 1.5),
  };
}

/** Rows of one batch of candidates, in insert order (parents first). */
export interface CandidateBatch {
  candidates: CandidateRow[];
  addresses: AddressRow[];
  residenceCards: ResidenceCardRow[];
  resumes: ResumeRow[];
  workHistory: WorkHistoryRow[];
  applications: ApplicationRow[];
  adIdentifiers: AdIdentifierRow[];
  surveyResponses: SurveyResponseRow[];
  campaignRecipients: RecipientRow[];
  /** The candidates' standings, registered with the ledger (privacy.subjects). */
  standings: { subjectId: string; standing: SubjectStanding; at: Date }[];
  /** Each candidate's consent history, oldest first, imported through the ledger (ids and state are the ledger's). */
  consentEvents: ImportedConsentEvent[];
}

export const emptyBatch = (): CandidateBatch => ({
  candidates: [], addresses: [], residenceCards: [], resumes: [], workHistory: [], applications: [],
  adIdentifiers: [], surveyResponses: [], campaignRecipients: [], standings: [], consentEvents: [],
});

type MarketingPlan = 'none' | 'granted' | 'withdrawn' | 'expired';
type AllEmployersPlan = 'none' | 'granted' | 'expired';

/** What a fixture candidate must look like; anything left out is drawn at random. */
interface Fixture {
  id?: string;
  name?: { full: string; kana: string; email: string };
  nationality?: string;
  residenceStatus?: string;
  category?: CategoryKey;
  desiredIndustries?: Industry[];
  createdDaysAgo?: number;
  adIdentifiers?: number;
  marketing?: MarketingPlan;
  survey?: boolean;
  advertising?: boolean;
  allEmployers?: AllEmployersPlan;
  withdrawFrom?: string | null;
  /** The first application goes to this job (or to one of this employer's jobs). */
  applyToJob?: string;
  applyToEmployer?: string;
  avoidEmployer?: string;
  campaigns?: readonly string[];
  surveyId?: string | null;
  /** Exact number of applications (otherwise random, at least 1 when `applyTo…` is set). */
  applications?: number;
}

const FIXED_APPLICANTS = 10; // candidates 6..15 apply to the demo employer
const OPEN_COHORT = 30; // candidates 16..45: every-employer grant, never applied to the demo employer

function fixtureFor(i: number): Fixture | undefined {
  const ids = DEMO_IDS;
  switch (i) {
    case 0:
      return {
        id: ids.candidate,
        name: { full: 'NGUYEN THI LAN', kana: 'グエン ティ ラン', email: 'lan.nguyen@example.jp' },
        nationality: 'ベトナム', residenceStatus: RESIDENCE_STATUSES.ENGINEER, category: 'IT', desiredIndustries: ['IT・通信', 'コンサルティング'], createdDaysAgo: 200,
        adIdentifiers: 2, marketing: 'granted', survey: true, advertising: true, allEmployers: 'none', withdrawFrom: null,
        applyToJob: ids.job, avoidEmployer: ids.otherEmployer, campaigns: [ids.campaign], surveyId: ids.survey, applications: 3,
      };
    case 1:
      return { id: ids.openCandidate, allEmployers: 'granted', withdrawFrom: null, avoidEmployer: ids.employer, marketing: 'none', applications: 0 };
    case 2:
      return { id: ids.withdrawnFromEmployerCandidate, allEmployers: 'granted', withdrawFrom: ids.employer, avoidEmployer: ids.employer, applications: 0 };
    case 3:
      return {
        id: ids.noConsentCandidate, marketing: 'none', survey: false, advertising: false, allEmployers: 'none',
        withdrawFrom: null, campaigns: [ids.campaign], surveyId: null, applications: 0,
      };
    case 4:
      return { id: ids.marketingWithdrawnCandidate, marketing: 'withdrawn', allEmployers: 'none', campaigns: [ids.campaign], applications: 0 };
    case 5:
      return {
        id: ids.expiredConsentCandidate, createdDaysAgo: 500, marketing: 'expired', allEmployers: 'expired', withdrawFrom: null,
        avoidEmployer: ids.employer, campaigns: [ids.campaign], applications: 0,
      };
    default:
      if (i < 6 + FIXED_APPLICANTS) return { applyToEmployer: ids.employer };
      if (i < 6 + FIXED_APPLICANTS + OPEN_COHORT) return { allEmployers: 'granted', withdrawFrom: null, avoidEmployer: ids.employer };
      return undefined;
  }
}

const CATEGORY_WEIGHTS: ReadonlyArray<readonly [CategoryKey, number]> = [
  ['IT', 15], ['SALES', 15], ['OFFICE', 15], ['CARE', 10], ['MEDICAL', 6], ['SERVICE', 12], ['MANUFACTURING', 10],
  ['LOGISTICS', 6], ['CONSTRUCTION', 5], ['MARKETING', 6], ['EDUCATION', 4], ['HOSPITALITY', 4], ['CONSULTING', 3],
];
const APPLICATION_STATUS: ReadonlyArray<readonly [ApplicationRow['status'] & string, number]> = [
  ['SUBMITTED', 34], ['SCREENING', 26], ['INTERVIEW', 12], ['OFFERED', 4], ['HIRED', 3], ['REJECTED', 15], ['WITHDRAWN', 6],
];
const EMAIL_DOMAINS = ['example.jp', 'example.ne.jp', 'example.co.jp', 'example.com', 'example.net'] as const;
const MAX_APPLICATIONS_PER_CANDIDATE = 20;

/** Industries whose employers post jobs of a category (for candidates' desired industries). */
const INDUSTRIES_BY_CATEGORY = new Map<CategoryKey, Industry[]>();
for (const industry of INDUSTRIES) {
  for (const cat of new Set(INDUSTRY_CATEGORIES[industry])) {
    const list = INDUSTRIES_BY_CATEGORY.get(cat) ?? [];
    list.push(industry);
    INDUSTRIES_BY_CATEGORY.set(cat, list);
  }
}

interface PendingEvent {
  purpose: ConsentPurpose;
  recipientId: string | null;
  action: 'GRANT' | 'WITHDRAW';
  source: ConsentSource;
  actor: string;
  at: number;
  expiresAt: number | null;
}

/** Generates the whole data set from one seeded random source; catalogue first, then candidates in order. */
export class SeedGenerator {
  readonly employers: EmployerRow[] = [];
  readonly jobs: JobRow[] = [];
  readonly campaigns: CampaignRow[] = [];
  readonly surveys: SurveyRow[] = [];
  private readonly nowMs: number;
  /** Candidates created before this were imported from the previous system (consent source IMPORT). */
  private readonly importCutoffMs: number;
  private readonly prefectures: WeightedTable<Prefecture>;
  private readonly nationalities: WeightedTable<Nationality>;
  private readonly categories: WeightedTable<CategoryKey>;
  private readonly employerNames = new Map<string, string>();
  private readonly jobsByIndustry = new Map<string, number[]>();
  private readonly jobsByEmployer = new Map<string, number[]>();
  private readonly jobIndexById = new Map<string, number>();
  private readonly cardNumbers = new Set<string>();
  private readonly recipientProbability: number[] = [];

  constructor(
    private readonly rng: Rng,
    now: Date,
    readonly scale: Scale,
  ) {
    this.nowMs = Math.floor(now.getTime() / 1000) * 1000;
    this.importCutoffMs = this.nowMs - 900 * DAY_MS;
    this.prefectures = new WeightedTable(PREFECTURES.map((p) => [p, p.weight] as const));
    this.nationalities = new WeightedTable(NATIONALITIES.map((n) => [n, n.weight] as const));
    this.categories = new WeightedTable(CATEGORY_WEIGHTS);
  }

  private daysAgo(days: number): number {
    return this.nowMs - days * DAY_MS;
  }

  // ---------------------------------------------------------------- catalogue

  /** Employers, jobs, campaigns and surveys (small, kept in memory). */
  buildCatalog(): void {
    this.buildEmployers();
    this.buildJobs();
    this.buildCampaigns();
    this.buildSurveys();
  }

  private buildEmployers(): void {
    const { rng } = this;
    this.employers.push(
      {
        id: DEMO_IDS.employer, name: '株式会社さくらテクノロジーズ', industry: 'IT・通信', prefecture: '東京都', city: '渋谷区',
        website: 'https://www.sakura-tech.example.jp', employeeCount: 320, createdAt: new Date(this.daysAgo(5 * 365)),
      },
      {
        id: DEMO_IDS.otherEmployer, name: 'みらいケアサービス株式会社', industry: '医療・福祉', prefecture: '大阪府', city: '大阪市北区',
        website: 'https://www.mirai-care.example.jp', employeeCount: 1200, createdAt: new Date(this.daysAgo(8 * 365)),
      },
    );
    const names = new Set(this.employers.map((e) => e.name));
    const slugs = new Set(['sakura-tech', 'mirai-care']);
    for (let i = this.employers.length; i < this.scale.employers; i++) {
      const industry = rng.pick(INDUSTRIES);
      let name = '';
      let slug = '';
      for (let attempt = 0; attempt < 10; attempt++) {
        const [stem, stemRomaji] = rng.chance(0.7) ? rng.pick(COMPANY_STEMS) : familyStem(rng.pick(FAMILY_NAMES));
        const [suffix, suffixRomaji] = rng.pick(COMPANY_SUFFIXES[industry]);
        const legal = rng.weighted([['株式会社', 85], ['有限会社', 5], ['合同会社', 10]] as const);
        name = rng.chance(0.5) ? `${legal}${stem}${suffix}` : `${stem}${suffix}${legal}`;
        slug = `${stemRomaji}-${suffixRomaji}`;
        if (!names.has(name)) break;
      }
      names.add(name);
      if (slugs.has(slug)) slug = `${slug}${i}`;
      slugs.add(slug);
      const pref = this.prefectures.pick(rng);
      this.employers.push({
        id: rng.uuid(),
        name,
        industry,
        prefecture: pref.name,
        city: rng.pick(pref.cities),
        website: rng.chance(0.92) ? `https://www.${slug}.example.jp` : null,
        employeeCount: Math.round(Math.exp(rng.float() * Math.log(20_000 / 5)) * 5),
        createdAt: new Date(rng.time(this.daysAgo(10 * 365), this.daysAgo(365))),
      });
    }
    for (const e of this.employers) this.employerNames.set(e.id as string, e.name);
  }

  private buildJobs(): void {
    const { rng } = this;
    const demoJobs = 6;
    const otherDemoJobs = 4;
    for (let j = 0; j < this.scale.jobs; j++) {
      const employerIndex = j < demoJobs ? 0 : j < demoJobs + otherDemoJobs ? 1 : rng.int(2, this.employers.length - 1);
      const employer = this.employers[employerIndex] as EmployerRow;
      const industry = employer.industry as Industry;
      const categoryKey = j === 0 ? 'IT' : rng.pick(INDUSTRY_CATEGORIES[industry]);
      const category = JOB_CATEGORIES[categoryKey] as (typeof JOB_CATEGORIES)[string];
      const title = j === 0 ? 'バックエンドエンジニア（TypeScript / Node.js）' : rng.pick(category.titles);
      let prefecture = employer.prefecture;
      let city = employer.city;
      if (j >= demoJobs + otherDemoJobs && rng.chance(0.2)) {
        const pref = this.prefectures.pick(rng);
        prefecture = pref.name;
        city = rng.pick(pref.cities);
      }
      const employmentType = j === 0 ? 'FULL_TIME' : rng.weighted(category.employment);
      const [lo, hi] = category.salary;
      const factor = employmentType === 'PART_TIME' ? 0.45 : employmentType === 'INTERNSHIP' ? 0.5 : 1;
      const min = Math.round(((lo + rng.float() * (hi - lo) * 0.6) * factor) / 10) * 10;
      const max = min + Math.round((rng.int(50, 250) * factor) / 10) * 10;
      const unpaidInternship = employmentType === 'INTERNSHIP' && rng.chance(0.5);
      const isDemoEmployer = employerIndex === 0;
      const duties = rng.distinct(category.duties, 2);
      const requirements = rng.distinct(category.requirements, 2);
      const description = [
        '【仕事内容】', `${title}として、${duties.join('、')}をお任せします。`, '',
        '【応募資格】', ...requirements.map((r) => `・${r}`), '',
        '【勤務地】', `${prefecture}${city}`, '',
        '【待遇・福利厚生】', rng.pick(JOB_BENEFITS),
      ].join('\n');
      const job: JobRow = {
        id: j === 0 ? DEMO_IDS.job : rng.uuid(),
        employerId: employer.id as string,
        title,
        description,
        category: category.name,
        industry,
        prefecture,
        city,
        employmentType,
        salaryMin: unpaidInternship ? null : min * 10_000,
        salaryMax: unpaidInternship ? null : max * 10_000,
        status: isDemoEmployer || rng.chance(0.85) ? 'OPEN' : 'CLOSED',
        postedAt: new Date(rng.time(this.daysAgo(isDemoEmployer ? 60 : 120), this.daysAgo(1))),
      };
      this.jobs.push(job);
      this.jobIndexById.set(job.id, j);
      for (const [map, key] of [[this.jobsByIndustry, industry], [this.jobsByEmployer, job.employerId]] as const) {
        const list = map.get(key) ?? [];
        list.push(j);
        map.set(key, list);
      }
    }
  }

  private buildCampaigns(): void {
    const { rng } = this;
    const n = this.scale.candidates;
    CAMPAIGNS.forEach((c, i) => {
      const startsAt = this.nowMs + c.startsInDays * DAY_MS + rng.int(9, 18) * 3_600_000 - 12 * 3_600_000;
      const createdAt = c.status === 'SENT' ? startsAt - rng.int(3, 14) * DAY_MS : this.daysAgo(rng.int(1, 10));
      this.campaigns.push({
        id: i === 0 ? DEMO_IDS.campaign : rng.uuid(),
        name: c.name,
        channel: c.channel,
        status: c.status,
        targetIndustry: c.targetIndustry,
        targetPrefecture: c.targetPrefecture,
        startsAt: new Date(startsAt),
        endsAt: c.durationDays === null ? null : new Date(startsAt + c.durationDays * DAY_MS),
        createdAt: new Date(createdAt),
      });
      // A few hundred recipients per campaign at 2,000 candidates, drawn from those who opted in to marketing.
      const target = n * (0.08 + rng.float() * 0.12);
      let share = 0.4;
      if (c.targetIndustry) share *= 2 / INDUSTRIES.length;
      if (c.targetPrefecture) share *= this.prefectures.share((p) => p.name === c.targetPrefecture);
      if (c.foreignOnly) share *= 0.1;
      this.recipientProbability.push(Math.min(1, target / Math.max(1, n * share)));
    });
  }

  private buildSurveys(): void {
    SURVEYS.forEach((def, i) => {
      const opensAt = this.nowMs + def.opensInDays * DAY_MS;
      this.surveys.push({
        id: i === 0 ? DEMO_IDS.survey : this.rng.uuid(),
        title: def.title,
        questions: def.questions.map(([q]) => q),
        opensAt: new Date(opensAt),
        closesAt: def.durationDays === null ? null : new Date(opensAt + def.durationDays * DAY_MS),
      });
    });
  }

  // ---------------------------------------------------------------- candidates

  /** How many applications each candidate sends: fixtures first, the rest spread at random, summing to the target. */
  applicationCounts(): Uint8Array {
    const n = this.scale.candidates;
    const counts = new Uint8Array(n);
    const fixed = new Uint8Array(n);
    let total = 0;
    for (let i = 0; i < Math.min(n, 6 + FIXED_APPLICANTS); i++) {
      const f = fixtureFor(i);
      if (f?.applications !== undefined) {
        counts[i] = f.applications;
        fixed[i] = 1;
      } else if (f?.applyToEmployer || f?.applyToJob) counts[i] = 1;
      total += counts[i] as number;
    }
    let capacity = 0;
    for (let i = 0; i < n; i++) if (!fixed[i]) capacity += MAX_APPLICATIONS_PER_CANDIDATE - (counts[i] as number);
    let remaining = Math.min(Math.max(0, this.scale.applications - total), capacity);
    while (remaining > 0) {
      const i = this.rng.int(0, n - 1);
      if (fixed[i] || (counts[i] as number) >= MAX_APPLICATIONS_PER_CANDIDATE) continue;
      counts[i] = (counts[i] as number) + 1;
      remaining--;
    }
    return counts;
  }

  /**
   * Appends candidate `i` and everything that belongs to it to `batch`.
   * Its consent history goes to the batch oldest first; the ledger numbers it on import.
   */
  candidate(i: number, applicationCount: number, batch: CandidateBatch): void {
    const { rng, nowMs } = this;
    const fixture = fixtureFor(i);
    const fx = fixture ?? {};
    const id = fx.id ?? rng.uuid();
    const isFixture = fixture !== undefined;

    // --- profile
    const nationality = fx.nationality
      ? (NATIONALITIES.find((n) => n.name === fx.nationality) as Nationality)
      : rng.chance(0.1) ? this.nationalities.pick(rng) : null;
    let gender: string | null;
    let family: NameEntry;
    let given: NameEntry;
    if (nationality) {
      family = rng.pick(nationality.family);
      given = rng.pick(nationality.given);
      gender = null;
    } else {
      gender = rng.weighted([['FEMALE', 50], ['MALE', 47], [null, 3]] as const);
      family = rng.pick(FAMILY_NAMES);
      given = rng.pick(gender === 'MALE' ? MALE_GIVEN_NAMES : gender === 'FEMALE' ? FEMALE_GIVEN_NAMES : rng.pick([MALE_GIVEN_NAMES, FEMALE_GIVEN_NAMES]));
    }
    const fullName = fx.name?.full ?? `${family[0]} ${given[0]}`;
    const fullNameKana = fx.name?.kana ?? `${family[1]} ${given[1]}`;
    // The candidate's ordinal ends every generated address, so addresses are unique.
    const local = rng.weighted([
      [`${given[2]}.${family[2]}`, 4], [`${family[2]}.${given[2]}`, 3], [`${given[2]}_${family[2]}`, 2], [`${given[2].charAt(0)}${family[2]}`, 2],
    ] as const);
    const email = fx.name?.email ?? `${local}${i + 1}@${rng.pick(EMAIL_DOMAINS)}`;
    const phone = isFixture || rng.chance(0.95) ? `${rng.pick(['090', '080', '070'])}-${rng.digits(4)}-${rng.digits(4)}` : null;
    const age = 18 + Math.floor(47.99 * Math.pow(rng.float(), 1.6));
    const birthMs = rng.time(nowMs - (age + 1) * YEAR_MS + DAY_MS, nowMs - age * YEAR_MS);
    const status = isFixture ? 'ACTIVE' : rng.weighted([['ACTIVE', 97], ['SUSPENDED', 2], ['WITHDRAWN', 1]] as const);
    const createdAt = fx.createdDaysAgo !== undefined
      ? this.daysAgo(fx.createdDaysAgo) + rng.int(0, 86_399) * 1000
      : rng.time(this.daysAgo(1095), this.daysAgo(2));
    const updatedAt = rng.time(createdAt, nowMs - 60_000);
    const categoryKey = fx.category ?? this.categories.pick(rng);
    const category = JOB_CATEGORIES[categoryKey] as (typeof JOB_CATEGORIES)[string];
    const related = INDUSTRIES_BY_CATEGORY.get(categoryKey) ?? [...INDUSTRIES];
    const desiredIndustries: Industry[] = fx.desiredIndustries ?? [rng.pick(related)];
    if (!fx.desiredIndustries) for (const extra of rng.distinct(INDUSTRIES, rng.int(0, 2))) if (!desiredIndustries.includes(extra)) desiredIndustries.push(extra);

    const hasAddress = isFixture || rng.chance(0.95);
    const pref = this.prefectures.pick(rng);
    const desiredPrefectures = [rng.chance(0.75) ? pref.name : this.prefectures.pick(rng).name];
    if (rng.chance(0.35)) {
      const second = this.prefectures.pick(rng).name;
      if (!desiredPrefectures.includes(second)) desiredPrefectures.push(second);
    }
    batch.candidates.push({
      id, fullName, fullNameKana, email, phone, birthDate: isoDate(birthMs), gender, desiredIndustries, desiredPrefectures,
      createdAt: new Date(createdAt), updatedAt: new Date(updatedAt),
    });
    batch.standings.push({ subjectId: id, standing: status, at: new Date(updatedAt) });

    if (hasAddress) {
      const postalPrefix = rng.int(pref.postal[0], pref.postal[1]);
      const building = rng.chance(0.45) ? ` ${rng.pick(FAMILY_NAMES)[0]}${rng.pick(BUILDINGS)} ${rng.int(1, 12)}0${rng.int(1, 9)}号室` : '';
      batch.addresses.push({
        candidateId: id,
        postalCode: `${String(postalPrefix).padStart(3, '0')}-${rng.digits(4)}`,
        prefecture: pref.name,
        city: rng.pick(pref.cities),
        street: `${rng.pick(TOWNS)}${rng.int(1, 9)}丁目${rng.int(1, 30)}番${rng.int(1, 20)}号${building}`,
      });
    }

    if (nationality) {
      let cardNumber: string;
      do cardNumber = `${rng.upperLetters(2)}${rng.digits(8)}${rng.upperLetters(2)}`;
      while (this.cardNumbers.has(cardNumber));
      this.cardNumbers.add(cardNumber);
      const expired = !isFixture && rng.chance(0.05);
      batch.residenceCards.push({
        candidateId: id,
        cardNumber,
        nationality: nationality.name,
        statusOfResidence: fx.residenceStatus ?? rng.weighted(nationality.statuses),
        expiresOn: isoDate(expired ? rng.time(this.daysAgo(180), this.daysAgo(1)) : rng.time(nowMs + DAY_MS, nowMs + 5 * 365 * DAY_MS)),
      });
    }

    if (isFixture || (status !== 'WITHDRAWN' && rng.chance(0.91))) {
      this.resume(id, birthMs, age, createdAt, category, nationality !== null, batch);
    }

    // --- applications
    const applied = this.applications(id, applicationCount, fx, desiredIndustries, createdAt, batch);

    // --- ad identifiers
    const adCount = fx.adIdentifiers ?? (rng.chance(0.5) ? rng.weighted([[1, 60], [2, 40]] as const) : 0);
    if (adCount > 0) {
      const device = rng.pick(['IDFA', 'GAID'] as const);
      const kinds = adCount === 1 ? [rng.pick(['COOKIE', device] as const)] : (['COOKIE', device] as const);
      for (const kind of kinds) {
        const uuid = rng.uuid();
        batch.adIdentifiers.push({
          id: rng.uuid(),
          candidateId: id,
          kind,
          value: kind === 'COOKIE' ? rng.hex(32) : kind === 'IDFA' ? uuid.toUpperCase() : uuid,
          createdAt: new Date(rng.time(createdAt, nowMs - 60_000)),
        });
      }
    }

    // --- consent plan
    const withdrawnAccount = status === 'WITHDRAWN';
    const marketing: MarketingPlan = fx.marketing ?? (rng.chance(0.4) ? (rng.chance(0.05) ? 'withdrawn' : 'granted') : 'none');
    const survey = fx.survey ?? rng.chance(0.2);
    const advertising = fx.advertising ?? rng.chance(0.3);
    // Accounts that left the portal never hold an every-employer grant (withdrawing one would touch per-employer rows).
    const allEmployers: AllEmployersPlan = withdrawnAccount ? 'none' : (fx.allEmployers ?? (rng.chance(0.25) ? 'granted' : 'none'));
    const withdrawFrom = allEmployers === 'none' ? null
      : fx.withdrawFrom !== undefined ? fx.withdrawFrom
      : rng.chance(0.05) ? (rng.pick(this.employers).id as string) : null;

    const events: PendingEvent[] = [];
    const legacy = createdAt < this.importCutoffMs;
    const signUpAt = createdAt + rng.int(0, 120) * 1000;
    const signUp = { source: (legacy ? 'IMPORT' : 'SIGN_UP') as ConsentSource, actor: legacy ? 'seed' : id };
    const maybeExpiry = (at: number) => (!isFixture && rng.chance(0.05) ? at + 365 * DAY_MS : null);
    const grant = (purpose: ConsentPurpose, recipientId: string | null, at: number, src: { source: ConsentSource; actor: string }, expiresAt: number | null) =>
      events.push({ purpose, recipientId, action: 'GRANT', ...src, at, expiresAt });
    const withdraw = (purpose: ConsentPurpose, recipientId: string | null, at: number) =>
      events.push({ purpose, recipientId, action: 'WITHDRAW', source: 'PRIVACY_CENTER', actor: id, at, expiresAt: null });
    // Strictly after `after` (which is at most a minute before now), usually days later.
    const later = (after: number) => rng.time(Math.min(after + DAY_MS, nowMs - 30_000), nowMs - 1000);

    if (marketing !== 'none') {
      grant('MARKETING', null, signUpAt, signUp, marketing === 'expired' ? signUpAt + 180 * DAY_MS : maybeExpiry(signUpAt));
      if (marketing === 'withdrawn') withdraw('MARKETING', null, later(signUpAt));
    }
    if (survey) grant('SURVEY', null, signUpAt, signUp, maybeExpiry(signUpAt));
    if (advertising) grant('ADVERTISING', null, signUpAt, signUp, maybeExpiry(signUpAt));
    if (withdrawnAccount) {
      const leftAt = later(signUpAt);
      if (marketing === 'granted' || marketing === 'expired') withdraw('MARKETING', null, leftAt);
      if (survey) withdraw('SURVEY', null, leftAt);
      if (advertising) withdraw('ADVERTISING', null, leftAt);
    }
    // One JOB_APPLICATION grant per employer, at the first application to it.
    for (const [employerId, { first }] of applied) grant('EMPLOYER_DISCLOSURE', employerId, first, { source: 'JOB_APPLICATION', actor: id }, null);
    if (allEmployers !== 'none') {
      const at = allEmployers === 'expired'
        ? createdAt + DAY_MS
        : rng.time(createdAt + 3_600_000, Math.max(createdAt + 3_600_000, nowMs - 2 * DAY_MS));
      const src = { source: 'PRIVACY_CENTER' as ConsentSource, actor: id };
      grant('EMPLOYER_DISCLOSURE', null, at, src, allEmployers === 'expired' ? at + 180 * DAY_MS : maybeExpiry(at));
      if (withdrawFrom) withdraw('EMPLOYER_DISCLOSURE', withdrawFrom, later(Math.max(at, applied.get(withdrawFrom)?.last ?? 0)));
    }

    // --- survey response
    const answers = fx.surveyId !== undefined ? fx.surveyId !== null : rng.chance(withdrawnAccount ? 0.02 : survey ? 0.55 : 0.05);
    if (answers) this.surveyResponse(id, createdAt, fx.surveyId ?? null, nationality !== null, batch);

    // --- campaign recipients
    this.campaigns.forEach((campaign, c) => {
      let include = fx.campaigns?.includes(campaign.id) ?? false;
      if (!include && marketing !== 'none' && !fx.campaigns) {
        const eligible = (!campaign.targetIndustry || desiredIndustries.includes(campaign.targetIndustry as Industry))
          && (!CAMPAIGNS[c]?.foreignOnly || nationality !== null)
          && (!campaign.targetPrefecture || (hasAddress && pref.name === campaign.targetPrefecture))
          && (campaign.status !== 'SENT' || createdAt < campaign.startsAt.getTime());
        include = eligible && rng.chance(this.recipientProbability[c] as number);
      }
      if (!include) return;
      let sentAt: number | null = null;
      let openedAt: number | null = null;
      if (campaign.status === 'SENT') {
        sentAt = Math.min(campaign.startsAt.getTime() + rng.int(0, 48 * 60) * 60_000, nowMs - 60_000);
        if (campaign.channel === 'EMAIL' && rng.chance(0.35)) openedAt = rng.time(sentAt + 60_000, Math.min(sentAt + 5 * DAY_MS, nowMs));
      }
      batch.campaignRecipients.push({
        campaignId: campaign.id,
        candidateId: id,
        sentAt: sentAt === null ? null : new Date(sentAt),
        openedAt: openedAt === null ? null : new Date(openedAt),
      });
    });

    // --- ledger: the history in time order; the ledger assigns ids and derives the current state on import.
    events.sort((a, b) => a.at - b.at);
    for (const ev of events) {
      if (ev.action === 'WITHDRAW' && ev.recipientId === null && ev.purpose === 'EMPLOYER_DISCLOSURE') {
        throw new Error('seed invariant: no every-employer withdrawal (it would rewrite per-employer rows)');
      }
      batch.consentEvents.push({
        subjectId: id, purpose: ev.purpose, recipientId: ev.recipientId, action: ev.action, source: ev.source, actor: ev.actor,
        at: new Date(ev.at), expiresAt: ev.action === 'GRANT' && ev.expiresAt !== null ? new Date(ev.expiresAt) : null,
      });
    }
  }

  private resume(id: string, birthMs: number, age: number, createdAt: number, category: (typeof JOB_CATEGORIES)[string], foreign: boolean, batch: CandidateBatch): void {
    const { rng, nowMs } = this;
    const skills = new Set<string>();
    const wanted = rng.int(3, 8);
    if (foreign) skills.add(rng.pick(JAPANESE_LANGUAGE_SKILLS));
    for (const skill of rng.distinct(category.skills, Math.ceil(wanted * 0.7))) skills.add(skill);
    while (skills.size < wanted) skills.add(rng.pick(rng.chance(0.5) ? GENERAL_SKILLS : category.skills));
    const skillList = [...skills].slice(0, wanted);

    const careerStart = birthMs + (age >= 24 && rng.chance(0.6) ? 22 : 18) * YEAR_MS;
    let cursor = rng.chance(0.55) ? nowMs : nowMs - rng.int(1, 18) * 30 * DAY_MS;
    if (cursor <= careerStart + 30 * DAY_MS) cursor = nowMs;
    const current = cursor === nowMs;
    const jobs = rng.int(1, 4);
    let experienceMs = 0;
    let lastTitle = '';
    for (let k = 0; k < jobs; k++) {
      let start = cursor - rng.int(6, 84) * 30 * DAY_MS;
      if (start < careerStart) {
        if (k > 0) break;
        start = Math.min(Math.max(careerStart, cursor - 6 * 30 * DAY_MS), cursor - 30 * DAY_MS);
      }
      const title = rng.pick(category.titles);
      if (k === 0) lastTitle = title;
      batch.workHistory.push({
        id: rng.uuid(),
        candidateId: id,
        company: rng.faker.company.name(),
        title,
        startedOn: isoDate(start),
        endedOn: k === 0 && current ? null : isoDate(cursor),
        description: rng.chance(0.5) ? `${rng.pick(WORK_ACHIEVEMENTS)}。` : null,
      });
      experienceMs += cursor - start;
      cursor = start - rng.int(0, 6) * 30 * DAY_MS;
    }
    const years = Math.round(experienceMs / YEAR_MS);
    const [a, b] = [skillList[0] ?? '', skillList[1] ?? skillList[0] ?? ''];
    const goal = rng.pick(CAREER_GOALS);
    const summary = years < 1
      ? `${category.name}職での就職を目指しています。${a}を活かし、${goal}。`
      : rng.chance(0.5)
        ? `${category.name}分野で約${years}年の実務経験があります。${a}や${b}を活かし、${goal}。`
        : `直近では${lastTitle}として勤務し、${rng.pick(WORK_ACHIEVEMENTS)}。今後は、${goal}。`;
    // The portal keeps a CV a year from its receipt (retention), so every seeded CV was received within the last 330 days.
    const receivedAt = new Date(rng.time(Math.max(createdAt, nowMs - 330 * DAY_MS), nowMs - 60_000));
    batch.resumes.push({ candidateId: id, summary, skills: skillList, receivedAt, updatedAt: receivedAt });
  }

  /** Picks the jobs, writes the applications; returns the first and last application time per employer. */
  private applications(
    candidateId: string,
    count: number,
    fx: Fixture,
    desiredIndustries: readonly string[],
    createdAt: number,
    batch: CandidateBatch,
  ): Map<string, { first: number; last: number }> {
    const { rng, nowMs } = this;
    const chosen = new Set<number>();
    const byEmployer = new Map<string, { first: number; last: number }>();
    for (let k = 0; k < count; k++) {
      let index: number | undefined;
      if (k === 0 && fx.applyToJob) index = this.jobIndexById.get(fx.applyToJob);
      else if (k === 0 && fx.applyToEmployer) index = rng.pick(this.jobsByEmployer.get(fx.applyToEmployer) ?? [0]);
      else index = this.pickJob(chosen, desiredIndustries, fx.avoidEmployer);
      if (index === undefined) continue;
      chosen.add(index);
      const job = this.jobs[index] as JobRow;
      const from = Math.max(job.postedAt.getTime(), createdAt) + 60_000;
      const at = rng.time(Math.min(from, nowMs - 120_000), nowMs - 60_000);
      const status = nowMs - at < 3 * DAY_MS ? 'SUBMITTED' : rng.weighted(APPLICATION_STATUS);
      const coverLetter = rng.chance(0.6)
        ? `${this.employerNames.get(job.employerId)} 採用ご担当者様\n\n${job.title}の求人を拝見し、応募いたしました。${rng.pick(APPLICATION_REASONS)}。`
          + 'これまでの経験を活かし、貴社に貢献したいと考えております。ぜひ一度面接の機会をいただけますと幸いです。'
        : null;
      batch.applications.push({
        id: rng.uuid(),
        jobId: job.id,
        candidateId,
        coverLetter,
        status,
        createdAt: new Date(at),
        updatedAt: new Date(status === 'SUBMITTED' ? at : rng.time(at, nowMs - 60_000)),
      });
      const seen = byEmployer.get(job.employerId);
      byEmployer.set(job.employerId, seen ? { first: Math.min(seen.first, at), last: Math.max(seen.last, at) } : { first: at, last: at });
    }
    return byEmployer;
  }

  private pickJob(chosen: ReadonlySet<number>, industries: readonly string[], avoidEmployer: string | undefined): number | undefined {
    const { rng } = this;
    for (let attempt = 0; attempt < 50; attempt++) {
      let index: number | undefined;
      if (rng.chance(0.6)) {
        const list = this.jobsByIndustry.get(rng.pick(industries));
        if (list && list.length > 0) index = rng.pick(list);
      }
      index ??= rng.int(0, this.jobs.length - 1);
      if (chosen.has(index) || (avoidEmployer && this.jobs[index]?.employerId === avoidEmployer)) continue;
      return index;
    }
    return undefined;
  }

  private surveyResponse(candidateId: string, createdAt: number, surveyId: string | null, foreign: boolean, batch: CandidateBatch): void {
    const { rng, nowMs } = this;
    for (let attempt = 0; attempt < 3; attempt++) {
      const index = surveyId ? this.surveys.findIndex((sv) => sv.id === surveyId) : rng.int(0, this.surveys.length - 1);
      const survey = this.surveys[index];
      const def = SURVEYS[index];
      if (!survey || !def) return;
      if (def.foreignOnly && !foreign) continue;
      const from = Math.max(survey.opensAt.getTime(), createdAt) + 60_000;
      const to = Math.min(survey.closesAt?.getTime() ?? nowMs, nowMs) - 60_000;
      if (from >= to) continue;
      const answers: Record<string, string> = {};
      for (const [question, choices] of def.questions) {
        if (choices.length === 0 && rng.chance(0.4)) continue; // free text is often left blank
        answers[question] = choices.length > 0 ? rng.pick(choices) : rng.pick(FREE_TEXT_ANSWERS);
      }
      batch.surveyResponses.push({ id: rng.uuid(), surveyId: survey.id, candidateId, answers, submittedAt: new Date(rng.time(from, to)) });
      return;
    }
  }
}

const familyStem = ([written, , romaji]: NameEntry): readonly [string, string] => [written, romaji];
