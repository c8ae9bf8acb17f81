/**
 * A data subject's standing with the portal, as policy data: which standings still let a consent count.
 * A candidate who has left the service, or whose use is suspended, is no longer disclosed to employers, contacted
 * or surveyed on the strength of a consent they gave while active; uses that need no consent (support, identity
 * checks, legal bases) are not affected. The consent rule (ledger/consent.ts) reads this table.
 */
import type { SeedClause } from './purposes.ts';

export interface StandingDefinition {
  description: string;
  sources: readonly SeedClause[];
  /** Whether the subject's consents count while they have this standing. */
  honoursConsent: boolean;
}

export const SUBJECT_STANDINGS = {
  ACTIVE: {
    description: 'Uses the portal.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '3.A' }],
    honoursConsent: true,
  },
  SUSPENDED: {
    description: "The account's use is suspended (at the candidate's request to suspend use, or by the portal): no consent-based use while it lasts.",
    sources: [
      { policy: '000 MIMS Career Portal', clause: '8 (suspension of use, deletion or provision to a third party)' },
      { policy: '003 JapanWork', clause: 'Clause 9 (Suspension and Removal of Personal Information)' },
    ],
    honoursConsent: false,
  },
  WITHDRAWN: {
    description: 'Has left the service: CVs and data are destroyed, and no consent given before counts any more.',
    sources: [{ policy: '000 MIMS Career Portal', clause: '10 (destroyed when the user withdraws from the service)' }],
    honoursConsent: false,
  },
} as const satisfies Record<string, StandingDefinition>;

export type SubjectStanding = keyof typeof SUBJECT_STANDINGS;
export const SUBJECT_STANDING_CODES = Object.keys(SUBJECT_STANDINGS) as SubjectStanding[];

/** The standings under which a subject's consents count (today: ACTIVE only). */
export const CONSENT_HONOURING_STANDINGS: readonly SubjectStanding[] = SUBJECT_STANDING_CODES.filter((s) => SUBJECT_STANDINGS[s].honoursConsent);

export function isSubjectStanding(value: unknown): value is SubjectStanding {
  return typeof value === 'string' && Object.hasOwn(SUBJECT_STANDINGS, value);
}
