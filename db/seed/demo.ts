/**
 * Fixed ids of the demo records every seed run contains (README, tests and demos rely on them).
 * Candidate fixtures are complete from 46 candidates up; with fewer, only the first N exist.
 */
export const DEMO_IDS = {
  /** NGUYEN THI LAN: foreign national with a residence card, resume, address and ad identifiers;
   * applied to `job` at `employer` (and to other employers, never `otherEmployer`);
   * MARKETING, SURVEY and ADVERTISING granted; recipient of `campaign`; answered `survey`. */
  candidate: '00000000-0000-4000-8000-000000000001',
  /** 株式会社さくらテクノロジーズ: 6 jobs, at least 10 applicants. */
  employer: '00000000-0000-4000-8000-0000000000e1',
  /** みらいケアサービス株式会社: 4 jobs; the demo candidate never applied there. */
  otherEmployer: '00000000-0000-4000-8000-0000000000e2',
  /** An open job of `employer` the demo candidate applied to. */
  job: '00000000-0000-4000-8000-0000000000a1',
  /** A scheduled e-mail campaign whose recipients include `candidate` and the four marketing fixtures below. */
  campaign: '00000000-0000-4000-8000-0000000000c1',
  /** An open survey the demo candidate answered. */
  survey: '00000000-0000-4000-8000-0000000000d1',
  /** EMPLOYER_DISCLOSURE granted to every employer; never applied to `employer`: visible to both employers. */
  openCandidate: '00000000-0000-4000-8000-000000000002',
  /** EMPLOYER_DISCLOSURE granted to every employer, then withdrawn for `employer` only. */
  withdrawnFromEmployerCandidate: '00000000-0000-4000-8000-000000000003',
  /** No consent of any kind and no applications; still listed as a recipient of `campaign`. */
  noConsentCandidate: '00000000-0000-4000-8000-000000000004',
  /** MARKETING granted at sign-up, later withdrawn; recipient of `campaign`. */
  marketingWithdrawnCandidate: '00000000-0000-4000-8000-000000000005',
  /** MARKETING and every-employer EMPLOYER_DISCLOSURE granted with an expiry now in the past; recipient of `campaign`. */
  expiredConsentCandidate: '00000000-0000-4000-8000-000000000006',
} as const;
