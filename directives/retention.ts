/**
 * How long the portal keeps what it holds, as policy data: each retention rule, the collection it applies to, the
 * period, and the clause or article it comes from. The owners (each subgraph over its own schema, audit/ for the
 * provision records) implement the rules; the retention log and the CLI name them by these codes. A subject under a
 * legal hold is never swept, whatever the rule.
 */
import type { SeedClause } from './purposes.ts';

/** Who implements a rule: a subgraph over its own schema, or the audit module over the provision records. */
export type RetentionOwner = 'users' | 'employers' | 'marketing' | 'audit';

export interface RetentionRuleDefinition {
  owner: RetentionOwner;
  /** What goes, in words (the README lists them). */
  description: string;
  /** How long from the rule's start date; null: at once. */
  period: { years: number } | null;
  /** What the period runs from. */
  from: string;
  /** The seed-policy clauses the rule comes from. */
  sources: readonly SeedClause[];
  /** The law, where the rule comes from a statute rather than the policy. */
  law?: string;
  /** The reason the retention log and the dry run give (never data of the subject). */
  reason: string;
}

const MIMS_STORAGE: SeedClause = { policy: '000 MIMS Career Portal', clause: '10 (Period for storage of documents: 1 year)' };
const MIMS_WITHDRAWAL: SeedClause = { policy: '000 MIMS Career Portal', clause: '10 (destroyed when the user withdraws from the Service)' };

export const RETENTION_RULES = {
  CV_ONE_YEAR: {
    owner: 'users',
    description: 'The CV (summary, skills and work history, which the graph serves as part of it) one year after it was received; replacing the CV restarts the period.',
    period: { years: 1 },
    from: 'users.resumes.received_at',
    sources: [MIMS_STORAGE],
    reason: 'CV received more than 1 year ago (MIMS policy 10: the period of storage for any information received is 1 year)',
  },
  COVER_LETTER_ONE_YEAR: {
    owner: 'employers',
    description: "The cover letter of an application one year after the application was submitted; the application (job, status, dates) stays as the employer's record of it.",
    period: { years: 1 },
    from: 'employers.applications.created_at',
    sources: [MIMS_STORAGE],
    reason: 'cover letter received more than 1 year ago (MIMS policy 10: the period of storage for any information received is 1 year)',
  },
  DELETED_ACCOUNT: {
    owner: 'users',
    description: 'Everything still held of a candidate who left the service (standing WITHDRAWN), at once: in users the profile is anonymised to its tombstone and the address, residence card, CV and work history deleted.',
    period: null,
    from: 'the standing WITHDRAWN (privacy.subjects)',
    sources: [MIMS_WITHDRAWAL],
    reason: 'account deleted: documents such as the CV and data are destroyed irrespective of the storage period (MIMS policy 10)',
  },
  DELETED_ACCOUNT_APPLICATIONS: {
    owner: 'employers',
    description: 'The applications of a candidate who left the service, at once.',
    period: null,
    from: 'the standing WITHDRAWN (privacy.subjects)',
    sources: [MIMS_WITHDRAWAL],
    reason: 'account deleted: documents such as cover letters and data are destroyed irrespective of the storage period (MIMS policy 10)',
  },
  DELETED_ACCOUNT_MARKETING: {
    owner: 'marketing',
    description: 'The advertising identifiers, survey answers and campaign deliveries (the marketing profile) of a candidate who left the service, at once.',
    period: null,
    from: 'the standing WITHDRAWN (privacy.subjects)',
    sources: [MIMS_WITHDRAWAL],
    reason: 'account deleted: data is destroyed irrespective of the storage period (MIMS policy 10)',
  },
  PROVISION_RECORD_THREE_YEARS: {
    owner: 'audit',
    description: 'A record of provisions to a third party three years after its last provision (a database trigger refuses deleting younger ones).',
    period: { years: 3 },
    from: 'privacy.provision_records.last_provided_at',
    sources: [],
    law: 'APPI Art. 29 and Enforcement Rules Art. 21 (records of provision kept 3 years)',
    reason: 'provision record past its 3-year keeping period from the last provision (APPI Art. 29, Enforcement Rules Art. 21)',
  },
} as const satisfies Record<string, RetentionRuleDefinition>;

export type RetentionRuleCode = keyof typeof RETENTION_RULES;
export const RETENTION_RULE_CODES = Object.keys(RETENTION_RULES) as RetentionRuleCode[];

/** The rules an owner implements. */
export function rulesOf(owner: RetentionOwner): RetentionRuleCode[] {
  return RETENTION_RULE_CODES.filter((code) => RETENTION_RULES[code].owner === owner);
}

/** Everything older than this is past the rule's period at `now` (the rule must have a period). */
export function retentionCutoff(code: RetentionRuleCode, now: Date): Date {
  const period = RETENTION_RULES[code].period;
  if (!period) throw new RangeError(`${code} applies at once: it has no cutoff.`);
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - period.years);
  return cutoff;
}
