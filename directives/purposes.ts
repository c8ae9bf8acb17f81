/**
 * The privacy vocabulary as data: purposes of use, PII categories, masking strategies and roles.
 * Everything else (directive SDL, role checks, docs) is generated from these tables.
 */

/** Where a purpose or rule comes from in the seed policies (`../shared/seeds/`). */
export interface SeedClause {
  policy: '000 MIMS Career Portal' | '001 Mynavi' | '002 Mipick' | '003 JapanWork' | '004 MAG.NET';
  clause: string;
}

export interface PurposeDefinition {
  description: string;
  sources: readonly SeedClause[];
  /** `none`: no consent needed; `subject`: the data subject's opt-in; `subject-and-recipient`: per subject and per employer. */
  consent: 'none' | 'subject' | 'subject-and-recipient';
  /** APPI exceptions to consent: only role `compliance`, only with `x-legal-basis`, always audited. */
  legalBasis: boolean;
  /** `self`: covers only the caller's own record (the candidate using the portal). */
  scope: 'self' | 'any';
  /** Aggregates only: no PII field is ever released under it. */
  aggregateOnly: boolean;
  /** For a purpose that needs consent: how the candidate consents, shown on the `ConsentPurpose` enum value. */
  consentNote?: string;
  /**
   * Whether the candidate can suspend this use of their data (APPI Art. 35, `restrictProcessing`), and why: the seed
   * policies promise suspension of use "to the extent necessary", except where a use is required by law or is what
   * makes the request itself possible.
   */
  restriction: RestrictionRule;
}

/** Whether a purpose of use can be suspended at the data subject's request, with the reason and its seed clause. */
export interface RestrictionRule {
  allowed: boolean;
  reason: string;
  sources: readonly SeedClause[];
}

/** The seed clauses that promise suspension of use on request (APPI Art. 35). */
const SUSPENSION_CLAUSES: readonly SeedClause[] = [
  { policy: '000 MIMS Career Portal', clause: '8 (suspension of use, deletion or provision to a third party)' },
  { policy: '004 MAG.NET', clause: 'Article 8 (Suspension of Use of Personal Information, etc.)' },
];

export const PURPOSES = {
  SERVICE_PROVISION: {
    description: "The candidate's own use of the portal.",
    sources: [
      { policy: '000 MIMS Career Portal', clause: '3.A' },
      { policy: '002 Mipick', clause: 'Use of Personal Information: to provide products, services, and support' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'self',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'The candidate\'s own use of the portal: stopping it is leaving the service (deleteMyAccount), not a restriction.', sources: [{ policy: '000 MIMS Career Portal', clause: '8 (Users may lose their entitlement to the Service if they cease to use it)' }] },
  },
  SUPPORT: {
    description: 'Answering inquiries and sending maintenance notices.',
    sources: [
      { policy: '000 MIMS Career Portal', clause: '3.F' },
      { policy: '002 Mipick', clause: 'Use of Personal Information: to respond to inquiries; maintenances and other important notices' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: true, reason: 'Answering inquiries and maintenance notices stops at the candidate\'s request: staff no longer read their data under SUPPORT until it is lifted.', sources: SUSPENSION_CLAUSES },
  },
  IDENTITY_VERIFICATION: {
    description: 'Confirming identity and eligibility to work in Japan.',
    sources: [
      { policy: '002 Mipick', clause: 'Use of Personal Information: to confirm the identity of the customers' },
      { policy: '003 JapanWork', clause: 'Clause 3 (Purpose of use); residence card as a collected item' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'Identity is what every request of the candidate (this one included) is verified by, and work eligibility must be confirmed by law.', sources: [{ policy: '003 JapanWork', clause: 'Clause 8 (identity verification of a request); Clause 9.2 (no suspension where the law does not oblige it)' }] },
  },
  EMPLOYER_DISCLOSURE: {
    description: 'Giving candidate data to a prospective employer (third-party provision, APPI Art. 27).',
    sources: [
      { policy: '000 MIMS Career Portal', clause: '3.B, 5' },
      { policy: '002 Mipick', clause: 'Appropriate Disclosure of Personal Information to Third Parties' },
    ],
    consent: 'subject-and-recipient',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    consentNote: "Giving the candidate's data to a prospective employer; consented per employer or for every employer.",
    restriction: { allowed: true, reason: 'Provision to third parties stops at the candidate\'s request (Art. 35(3)), for every employer, whatever consent stands.', sources: SUSPENSION_CLAUSES },
  },
  MARKETING: {
    description: 'Campaign e-mail, post and phone calls about the portal and affiliated services.',
    sources: [
      { policy: '000 MIMS Career Portal', clause: '3.C' },
      { policy: '002 Mipick', clause: 'Use of Personal Information: providing information on products, services, and campaigns' },
    ],
    consent: 'subject',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: true, reason: 'Campaign contact stops at the candidate\'s request, whatever consent stands.', sources: SUSPENSION_CLAUSES },
  },
  SURVEY: {
    description: 'Questionnaires, events, gifts and reports on their results.',
    sources: [
      { policy: '000 MIMS Career Portal', clause: '3.D' },
      { policy: '002 Mipick', clause: 'Use of Personal Information: questionnaire surveys' },
    ],
    consent: 'subject',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: true, reason: 'Questionnaires stop at the candidate\'s request, whatever consent stands.', sources: SUSPENSION_CLAUSES },
  },
  ADVERTISING: {
    description: 'Advertising based on usage data and advertising identifiers.',
    sources: [
      { policy: '001 Mynavi', clause: 'Informative data: utilization purpose' },
      { policy: '003 JapanWork', clause: 'Behavioural advertising and opt-out' },
      { policy: '004 MAG.NET', clause: 'Article 2: advertisements tailored to the use of the Service' },
    ],
    consent: 'subject',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: true, reason: 'Advertising on usage data stops at the candidate\'s request, whatever consent stands.', sources: [...SUSPENSION_CLAUSES, { policy: '003 JapanWork', clause: 'Behavioural advertising and opt-out' }] },
  },
  ANALYTICS: {
    description: 'Statistics that identify no one.',
    sources: [
      { policy: '000 MIMS Career Portal', clause: 'statistics that identify no individual' },
      { policy: '004 MAG.NET', clause: 'Article 2: access analysis' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: true,
    restriction: { allowed: false, reason: 'Releases only noisy statistics that identify no one: no value of the candidate is released under it.', sources: [{ policy: '000 MIMS Career Portal', clause: 'statistics that identify no individual' }] },
  },
  FRAUD_PREVENTION: {
    description: 'Finding users who violate the rules of the service.',
    sources: [
      { policy: '002 Mipick', clause: 'Use of Personal Information: to prevent illegal uses' },
      { policy: '004 MAG.NET', clause: 'Article 2: identify users who have violated the rules' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'A rule violator could otherwise stop the checks that find them; the policies keep other measures where suspension is not possible.', sources: [{ policy: '004 MAG.NET', clause: 'Article 8: alternative measures where suspension is difficult; Article 2: identify users who have violated the rules' }] },
  },
  BILLING: {
    description: 'Fees and settlement.',
    sources: [{ policy: '002 Mipick', clause: 'Use of Personal Information: settlement/billing' }],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'Fees and settlement of a service in use, and the accounting records the law requires.', sources: [{ policy: '002 Mipick', clause: 'Use of Personal Information: settlement/billing' }] },
  },
  INTERNAL_AUDIT: {
    description: 'Internal audit and security control: reviewing who accessed and who received personal data (staff only).',
    sources: [
      { policy: '004 MAG.NET', clause: 'Article 13 (Security Control Measures): periodic self-inspections and audits' },
      { policy: '001 Mynavi', clause: 'Privacy policy, item 7: regular reviews of the personal information protection management system' },
    ],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'Reviewing who accessed and received personal data is a security control measure the law requires (Art. 23).', sources: [{ policy: '004 MAG.NET', clause: 'Article 13 (Security Control Measures)' }] },
  },
  LEGAL_OBLIGATION: {
    description: 'Disclosure required by law or ordered by a court, prosecutor, police or other authority.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.A, 5.E' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'A legal basis: the law requires the use, and a request cannot stop it.', sources: [{ policy: '000 MIMS Career Portal', clause: '8 (a request is not given effect where that would violate laws or regulations)' }] },
  },
  VITAL_INTEREST: {
    description: "Protecting a person's life, body or property when consent is hard to obtain.",
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.B' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'A legal basis: the law allows the use without consent, and a request cannot stop it.', sources: [{ policy: '000 MIMS Career Portal', clause: '8 (a request is not given effect where that would violate laws or regulations)' }] },
  },
  PUBLIC_HEALTH: {
    description: 'Public health and the healthy development of children when consent is hard to obtain.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.C' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'A legal basis: the law allows the use without consent, and a request cannot stop it.', sources: [{ policy: '000 MIMS Career Portal', clause: '8 (a request is not given effect where that would violate laws or regulations)' }] },
  },
  GOVERNMENT_COOPERATION: {
    description: 'Cooperating with national or local government duties under law.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.D' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
    restriction: { allowed: false, reason: 'A legal basis: the law requires the use, and a request cannot stop it.', sources: [{ policy: '000 MIMS Career Portal', clause: '8 (a request is not given effect where that would violate laws or regulations)' }] },
  },
} as const satisfies Record<string, PurposeDefinition>;

export type Purpose = keyof typeof PURPOSES;
export const PURPOSE_CODES = Object.keys(PURPOSES) as Purpose[];

/** Purposes a candidate can grant or withdraw consent for: those whose `consent` is not `none`. */
export type ConsentPurpose = { [P in Purpose]: (typeof PURPOSES)[P]['consent'] extends 'none' ? never : P }[Purpose];
export const CONSENT_PURPOSES: readonly ConsentPurpose[] = PURPOSE_CODES.filter((p): p is ConsentPurpose => PURPOSES[p].consent !== 'none');

export function isConsentPurpose(value: unknown): value is ConsentPurpose {
  return typeof value === 'string' && (CONSENT_PURPOSES as readonly string[]).includes(value);
}

/** Purposes a candidate can suspend (APPI Art. 35): those whose `restriction.allowed` is true. */
export type RestrictablePurpose = { [P in Purpose]: (typeof PURPOSES)[P]['restriction']['allowed'] extends true ? P : never }[Purpose];
export const RESTRICTABLE_PURPOSES: readonly RestrictablePurpose[] = PURPOSE_CODES.filter((p): p is RestrictablePurpose => PURPOSES[p].restriction.allowed);

export function isRestrictablePurpose(value: unknown): value is RestrictablePurpose {
  return typeof value === 'string' && (RESTRICTABLE_PURPOSES as readonly string[]).includes(value);
}

/**
 * Restrictable purposes that need no consent (SUPPORT): their per-subject check is a restriction, not a consent, so
 * the gateway looks restrictions up for them alone; a consent purpose's restriction is part of the consent rule.
 */
export const RESTRICTABLE_WITHOUT_CONSENT: readonly RestrictablePurpose[] = RESTRICTABLE_PURPOSES.filter((p) => PURPOSES[p].consent === 'none');

/** Consent purposes consented to per subject only (no recipient): MARKETING, SURVEY, ADVERTISING. */
export const SUBJECT_CONSENT_PURPOSES: readonly ConsentPurpose[] = CONSENT_PURPOSES.filter((p) => PURPOSES[p].consent === 'subject');

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && Object.hasOwn(PURPOSES, value);
}

export function isLegalBasis(purpose: Purpose): boolean {
  return PURPOSES[purpose].legalBasis;
}

export interface CategoryDefinition {
  description: string;
  /** APPI "special care-required personal information". */
  specialCare: boolean;
}

export const CATEGORIES = {
  NAME: { description: 'Name in kanji or kana.', specialCare: false },
  CONTACT: { description: 'E-mail address and telephone number.', specialCare: false },
  ADDRESS: { description: 'Postal address.', specialCare: false },
  BIRTH_DATE: { description: 'Date of birth.', specialCare: false },
  IDENTIFICATION_CODE: { description: 'Personal identification codes such as the residence card number.', specialCare: false },
  RESIDENCE_STATUS: { description: 'Nationality and status of residence.', specialCare: false },
  CAREER: { description: 'CV, skills, work history, applications and cover letters.', specialCare: false },
  PREFERENCES: { description: 'Desired industries, locations and other job preferences.', specialCare: false },
  BEHAVIOURAL: { description: 'Advertising identifiers, cookies, usage and campaign history.', specialCare: false },
  SURVEY_ANSWERS: { description: 'Answers given to questionnaires.', specialCare: false },
  ACCESS_RECORDS: { description: 'Records of who accessed or received the person\'s data (access log, provision records).', specialCare: false },
} as const satisfies Record<string, CategoryDefinition>;

export type Category = keyof typeof CATEGORIES;
export const CATEGORY_CODES = Object.keys(CATEGORIES) as Category[];

export const MASK_STRATEGIES = {
  EMAIL: 'First character of the local part, then `***@domain`: `t***@example.com`.',
  PHONE_LAST4: 'Every digit but the last four replaced by `*`.',
  NAME_INITIAL: 'The first character followed by `.`.',
  BIRTH_YEAR: 'The year of an ISO date: `1990`.',
  AGE_BAND: 'A ten-year age band from an ISO date: `30-39`.',
  PREFECTURE_ONLY: 'An address with only its prefecture; other parts null.',
  LAST4: 'An identification code with all but its last four characters replaced by `*`.',
  PSEUDONYM: 'A keyed HMAC-SHA-256 pseudonym, stable per value, that reveals nothing about it.',
} as const;

export type MaskStrategy = keyof typeof MASK_STRATEGIES;
export const MASK_STRATEGY_CODES = Object.keys(MASK_STRATEGIES) as MaskStrategy[];

export function isMaskStrategy(value: unknown): value is MaskStrategy {
  return typeof value === 'string' && Object.hasOwn(MASK_STRATEGIES, value);
}
