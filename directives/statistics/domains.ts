/**
 * The statistics vocabulary as policy data: every dimension an analyst may group or filter by, with its known
 * domain (every value is in every answer, suppressed or not, so no group's existence shows by its appearance),
 * and how many cells of one table a single data subject can reach (the sensitivity of a count).
 */
import type { SeedClause } from '../purposes.ts';

/** The 47 prefectures, in JIS order. */
export const PREFECTURE_DOMAIN = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県', '埼玉県', '千葉県',
  '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県', '三重県',
  '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県', '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県',
  '香川県', '愛媛県', '高知県', '福岡県', '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
] as const;

/** Ten-year age bands (the AGE_BAND mask's form), and UNKNOWN for a candidate without a birth date. */
export const AGE_BAND_DOMAIN = ['UNDER_20', '20-29', '30-39', '40-49', '50-59', '60+', 'UNKNOWN'] as const;

/** The portal's industries (desired industries, employers). */
export const INDUSTRY_DOMAIN = [
  'IT・通信', 'メーカー', '商社', '金融', '医療・福祉', '小売・外食', '建設・不動産', '物流', '教育', 'コンサルティング', '広告・メディア', 'ホテル・旅行',
] as const;

/** The published skill vocabulary: only these skills are counted; free-text skills outside it are not grouped. */
export const SKILL_DOMAIN = [
  '普通自動車免許', 'Excel', 'Word', 'TOEIC 650', 'TOEIC 800', 'ITパスポート', 'ファイナンシャル・プランナー2級', '日本語能力試験N1',
  '日本語能力試験N2', '日本語能力試験N3', 'Java', 'TypeScript', 'JavaScript', 'Python', 'Go', 'PHP', 'SQL', 'AWS', 'Docker',
  'Kubernetes', 'React', 'Linux', '基本情報技術者', '応用情報技術者', '営業', '法人営業', 'PowerPoint', '宅地建物取引士', '経理',
  '日商簿記2級', '日商簿記3級', '秘書検定2級', '衛生管理者', '介護福祉士', '介護職員初任者研修', '保育士', '社会福祉士', '看護師免許',
  '薬剤師免許', '医療事務', '理学療法士', '接客', '調理師免許', '販売士2級', 'フォークリフト運転技能者', '危険物取扱者乙種4類', 'CAD',
  '品質管理検定2級', '第二種電気工事士', '中型自動車免許', '大型自動車免許', '運行管理者', '1級建築施工管理技士', '2級建築士',
  'Webマーケティング', 'Google アナリティクス', 'Photoshop', 'Illustrator', '教員免許', '日本語教育能力検定', '英語（ビジネスレベル）',
  '中国語（日常会話）', '全国通訳案内士', '旅行業務取扱管理者', '中小企業診断士', 'PMP',
] as const;

/** Japanese (no residence card on file) or foreign (a residence card on file); never the nationality itself. */
export const NATIONALITY_GROUP_DOMAIN = ['JAPANESE', 'FOREIGN'] as const;

/** Job categories of postings. */
export const JOB_CATEGORY_DOMAIN = [
  'エンジニア・IT', '営業', '事務・管理', '介護・福祉', '医療', '販売・サービス', '製造・技術', '物流・ドライバー', '建築・土木',
  'マーケティング・企画', '教育', 'ホテル・観光', 'コンサルタント',
] as const;

/** Application statuses (the funnel's steps). */
export const APPLICATION_STATUS_DOMAIN = ['SUBMITTED', 'SCREENING', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN'] as const;

/** Months released for a month dimension: the period's month and the ones before it. */
export const MONTHS_RELEASED = 24;

/** UNKNOWN: a single-valued dimension the subject has no value for (no address, no birth date). */
export const UNKNOWN = 'UNKNOWN';

/** The contribution bounds: at most this many values of a multi-valued dimension count per subject. */
export const CONTRIBUTION_BOUNDS = {
  /** Skills of one CV counted, in the CV's order, among those in the vocabulary. */
  skillsPerCandidate: 3,
  /** Desired industries counted per candidate, in the candidate's order. */
  industriesPerCandidate: 3,
  /** Applications counted per candidate in one funnel table, newest first. */
  applicationsPerCandidate: 5,
  /** Campaign deliveries counted per candidate in one reach table, newest first (each counts as sent, and opened if so). */
  deliveriesPerCandidate: 3,
  /**
   * Cells one job posting counts in: one (its category × its prefecture). Postings hold no personal data; their
   * counts carry the same noise and suppression as every released number, with the posting as the unit.
   */
  cellsPerPosting: 1,
} as const;

export const STATISTICS_SOURCES: readonly SeedClause[] = [
  { policy: '000 MIMS Career Portal', clause: 'statistics that identify no individual' },
];

/** Dimensions of the candidate table: `single` dimensions put a candidate in one cell, `multi` in at most `bound`. */
export const CANDIDATE_DIMENSIONS = {
  PREFECTURE: { domain: [...PREFECTURE_DOMAIN, UNKNOWN], contribution: 1 },
  AGE_BAND: { domain: AGE_BAND_DOMAIN, contribution: 1 },
  INDUSTRY: { domain: INDUSTRY_DOMAIN, contribution: CONTRIBUTION_BOUNDS.industriesPerCandidate },
  SKILL: { domain: SKILL_DOMAIN, contribution: CONTRIBUTION_BOUNDS.skillsPerCandidate },
  NATIONALITY_GROUP: { domain: NATIONALITY_GROUP_DOMAIN, contribution: 1 },
  REGISTRATION_MONTH: { domain: 'months', contribution: 1 },
} as const satisfies Record<string, { domain: readonly string[] | 'months'; contribution: number }>;

export type CandidateDimension = keyof typeof CANDIDATE_DIMENSIONS;
export const CANDIDATE_DIMENSION_CODES = Object.keys(CANDIDATE_DIMENSIONS) as CandidateDimension[];

/** Dimensions of the application funnel (each cell is status × group). */
export const FUNNEL_DIMENSIONS = {
  JOB_CATEGORY: { domain: JOB_CATEGORY_DOMAIN },
  PREFECTURE: { domain: PREFECTURE_DOMAIN },
  MONTH: { domain: 'months' },
} as const satisfies Record<string, { domain: readonly string[] | 'months' }>;

export type FunnelDimension = keyof typeof FUNNEL_DIMENSIONS;

/** Campaign outcomes: reached (sent) and responded (opened); the response rate is OPENED / SENT of the noisy counts. */
export const CAMPAIGN_OUTCOME_DOMAIN = ['SENT', 'OPENED'] as const;

/** Campaign channels. */
export const CAMPAIGN_CHANNEL_DOMAIN = ['EMAIL', 'POST', 'PHONE'] as const;

/** Dimensions of campaign reach (each cell is outcome × group). */
export const CAMPAIGN_DIMENSIONS = {
  CHANNEL: { domain: CAMPAIGN_CHANNEL_DOMAIN },
  MONTH: { domain: 'months' },
} as const satisfies Record<string, { domain: readonly string[] | 'months' }>;

export type CampaignDimension = keyof typeof CAMPAIGN_DIMENSIONS;
export const CAMPAIGN_DIMENSION_CODES = Object.keys(CAMPAIGN_DIMENSIONS) as CampaignDimension[];
export const FUNNEL_DIMENSION_CODES = Object.keys(FUNNEL_DIMENSIONS) as FunnelDimension[];

/** `YYYY-MM` of a date, in UTC. */
export function monthOf(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month domain of a release at `now`: the MONTHS_RELEASED months ending with now's month, oldest first. */
export function monthDomain(now: Date): string[] {
  const out: string[] = [];
  for (let i = MONTHS_RELEASED - 1; i >= 0; i--) out.push(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))));
  return out;
}

/** The known domain of a dimension at `now`. */
export function domainOf(dimension: { domain: readonly string[] | 'months' }, now: Date): readonly string[] {
  return dimension.domain === 'months' ? monthDomain(now) : dimension.domain;
}

/** Whether `value` is in a dimension's domain (filters name only known values). */
export function isInDomain(dimension: { domain: readonly string[] | 'months' }, value: string, now: Date): boolean {
  return domainOf(dimension, now).includes(value);
}
