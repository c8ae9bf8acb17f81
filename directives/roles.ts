import type { Purpose } from './purposes.ts';

/** Which purposes each role may ever hold; a token claiming more is refused. */
export const ROLE_PURPOSES = {
  candidate: ['SERVICE_PROVISION'],
  employer: ['EMPLOYER_DISCLOSURE'],
  marketer: ['MARKETING', 'SURVEY', 'ADVERTISING'],
  analyst: ['ANALYTICS'],
  support: ['SUPPORT', 'IDENTITY_VERIFICATION', 'FRAUD_PREVENTION', 'BILLING'],
  compliance: [
    'SUPPORT',
    'IDENTITY_VERIFICATION',
    'FRAUD_PREVENTION',
    'INTERNAL_AUDIT',
    'LEGAL_OBLIGATION',
    'VITAL_INTEREST',
    'PUBLIC_HEALTH',
    'GOVERNMENT_COOPERATION',
  ],
} as const satisfies Record<string, readonly Purpose[]>;

export type Role = keyof typeof ROLE_PURPOSES;
export const ROLES = Object.keys(ROLE_PURPOSES) as Role[];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(ROLE_PURPOSES, value);
}

export function roleMayHold(role: Role, purpose: Purpose): boolean {
  return (ROLE_PURPOSES[role] as readonly Purpose[]).includes(purpose);
}
