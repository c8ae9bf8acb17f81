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
}

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
  },
  BILLING: {
    description: 'Fees and settlement.',
    sources: [{ policy: '002 Mipick', clause: 'Use of Personal Information: settlement/billing' }],
    consent: 'none',
    legalBasis: false,
    scope: 'any',
    aggregateOnly: false,
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
  },
  LEGAL_OBLIGATION: {
    description: 'Disclosure required by law or ordered by a court, prosecutor, police or other authority.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.A, 5.E' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
  },
  VITAL_INTEREST: {
    description: "Protecting a person's life, body or property when consent is hard to obtain.",
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.B' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
  },
  PUBLIC_HEALTH: {
    description: 'Public health and the healthy development of children when consent is hard to obtain.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.C' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
  },
  GOVERNMENT_COOPERATION: {
    description: 'Cooperating with national or local government duties under law.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '5.D' }],
    consent: 'none',
    legalBasis: true,
    scope: 'any',
    aggregateOnly: false,
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
