import { describe, expect, it } from 'vitest';
import { isConsentGranted, restrictionMarker } from '../ledger/consent.ts';
import { decide, decideForSubject, subjectCheck, type ConsentRecord } from './decide.ts';
import type { FieldClassification, FieldPolicy } from './policy.ts';
import type { Purpose } from './purposes.ts';
import type { Role } from './roles.ts';

const email: FieldPolicy = {
  coordinate: 'Candidate.email',
  category: 'CONTACT',
  purposes: new Set<Purpose>(['SERVICE_PROVISION', 'SUPPORT', 'EMPLOYER_DISCLOSURE', 'MARKETING', 'LEGAL_OBLIGATION']),
  masked: new Set<Purpose>(['IDENTITY_VERIFICATION', 'FRAUD_PREVENTION']),
  mask: 'EMAIL',
  consent: new Set<Purpose>(['EMPLOYER_DISCLOSURE', 'MARKETING']),
};
const pii: FieldClassification = { kind: 'pii', policy: email };

// role × purpose → expected outcome for Candidate.email under the policy above.
const matrix: [Role, Purpose, 'allow' | 'mask' | 'deny', string?][] = [
  ['candidate', 'SERVICE_PROVISION', 'allow'],
  ['support', 'SUPPORT', 'allow'],
  ['support', 'IDENTITY_VERIFICATION', 'mask'],
  ['support', 'FRAUD_PREVENTION', 'mask'],
  ['support', 'BILLING', 'deny', 'PURPOSE_NOT_ALLOWED'],
  ['employer', 'EMPLOYER_DISCLOSURE', 'allow'],
  ['marketer', 'MARKETING', 'allow'],
  ['marketer', 'SURVEY', 'deny', 'PURPOSE_NOT_ALLOWED'],
  ['marketer', 'ADVERTISING', 'deny', 'PURPOSE_NOT_ALLOWED'],
  ['analyst', 'ANALYTICS', 'deny', 'AGGREGATE_ONLY'],
  ['compliance', 'LEGAL_OBLIGATION', 'allow'],
  ['compliance', 'VITAL_INTEREST', 'deny', 'PURPOSE_NOT_ALLOWED'],
  // A role acting under a purpose it may never hold is denied even if the field allows the purpose.
  ['employer', 'SERVICE_PROVISION', 'deny', 'ROLE_NOT_PERMITTED'],
  ['analyst', 'SUPPORT', 'deny', 'ROLE_NOT_PERMITTED'],
];

describe('decide', () => {
  it.each(matrix)('%s under %s → %s', (role, purpose, outcome, reason) => {
    const decision = decide(pii, { role, purpose });
    expect(decision.kind).toBe(outcome);
    if (decision.kind === 'mask') expect(decision.strategy).toBe('EMAIL');
    if (decision.kind === 'deny') expect(decision.reason).toBe(reason);
  });

  it('denies a field nobody classified (fail closed)', () => {
    expect(decide(undefined, { role: 'compliance', purpose: 'LEGAL_OBLIGATION' })).toMatchObject({ kind: 'deny', reason: 'UNKNOWN_POLICY' });
  });

  it('allows a field marked not personal under every purpose, analytics included', () => {
    expect(decide({ kind: 'notPersonal' }, { role: 'analyst', purpose: 'ANALYTICS' })).toEqual({ kind: 'allow' });
  });

  it.each([
    ['analyst', 'ANALYTICS', 'allow', undefined],
    ['support', 'SUPPORT', 'deny', 'PURPOSE_NOT_ALLOWED'],
    ['compliance', 'LEGAL_OBLIGATION', 'deny', 'PURPOSE_NOT_ALLOWED'],
    ['marketer', 'MARKETING', 'deny', 'PURPOSE_NOT_ALLOWED'],
    ['candidate', 'SERVICE_PROVISION', 'deny', 'PURPOSE_NOT_ALLOWED'],
    ['employer', 'EMPLOYER_DISCLOSURE', 'deny', 'PURPOSE_NOT_ALLOWED'],
    ['support', 'ANALYTICS', 'deny', 'ROLE_NOT_PERMITTED'],
  ] as const)('releases a statistics field (@aggregate ANALYTICS) to %s under %s: %s', (role, purpose, outcome, reason) => {
    const decision = decide({ kind: 'aggregate', purposes: new Set<Purpose>(['ANALYTICS']) }, { role, purpose });
    expect(decision.kind).toBe(outcome);
    if (decision.kind === 'deny') expect(decision.reason).toBe(reason);
  });

  it('does not mask when a masked purpose has no strategy', () => {
    const noStrategy: FieldClassification = { kind: 'pii', policy: { ...email, mask: null } };
    expect(decide(noStrategy, { role: 'support', purpose: 'IDENTITY_VERIFICATION' }).kind).toBe('deny');
  });
});

describe('subjectCheck', () => {
  it('asks for consent per employer under EMPLOYER_DISCLOSURE', () => {
    expect(subjectCheck(email, { purpose: 'EMPLOYER_DISCLOSURE' })).toEqual({
      self: false,
      consent: { purpose: 'EMPLOYER_DISCLOSURE', perRecipient: true },
    });
  });
  it('asks for opt-in under MARKETING', () => {
    expect(subjectCheck(email, { purpose: 'MARKETING' })).toEqual({ self: false, consent: { purpose: 'MARKETING', perRecipient: false } });
  });
  it("limits SERVICE_PROVISION to the caller's own record", () => {
    expect(subjectCheck(email, { purpose: 'SERVICE_PROVISION' })).toEqual({ self: true, consent: null });
  });
  it('never asks for consent under a legal basis', () => {
    expect(subjectCheck(email, { purpose: 'LEGAL_OBLIGATION' })).toBeNull();
  });
  it('asks for consent under a consent purpose even if @consentRequired forgot it (fail closed)', () => {
    expect(subjectCheck({ ...email, consent: new Set() }, { purpose: 'MARKETING' })?.consent?.purpose).toBe('MARKETING');
  });
});

const NOW = new Date('2026-11-01T00:00:00Z');
const EMPLOYER_A = '00000000-0000-4000-8000-0000000000a1';
const EMPLOYER_B = '00000000-0000-4000-8000-0000000000b2';
const grant = (purpose: string, recipientId: string | null, expiresAt: Date | null = null): ConsentRecord => ({ purpose, recipientId, state: 'GRANTED', expiresAt });
const withdrawn = (purpose: string, recipientId: string | null): ConsentRecord => ({ purpose, recipientId, state: 'WITHDRAWN', expiresAt: null });

describe('isConsentGranted', () => {
  const cases: [string, ConsentRecord[], string | null, boolean][] = [
    ['no records', [], EMPLOYER_A, false],
    ['grant to this employer', [grant('EMPLOYER_DISCLOSURE', EMPLOYER_A)], EMPLOYER_A, true],
    ['grant to another employer only', [grant('EMPLOYER_DISCLOSURE', EMPLOYER_B)], EMPLOYER_A, false],
    ['grant to every employer', [grant('EMPLOYER_DISCLOSURE', null)], EMPLOYER_A, true],
    ['every employer but withdrawn from this one', [grant('EMPLOYER_DISCLOSURE', null), withdrawn('EMPLOYER_DISCLOSURE', EMPLOYER_A)], EMPLOYER_A, false],
    ['every employer, withdrawn from another', [grant('EMPLOYER_DISCLOSURE', null), withdrawn('EMPLOYER_DISCLOSURE', EMPLOYER_B)], EMPLOYER_A, true],
    ['withdrawn for everyone, specific grant withdrawn too', [withdrawn('EMPLOYER_DISCLOSURE', null), withdrawn('EMPLOYER_DISCLOSURE', EMPLOYER_A)], EMPLOYER_A, false],
    ['expired grant', [grant('EMPLOYER_DISCLOSURE', EMPLOYER_A, new Date('2026-10-01T00:00:00Z'))], EMPLOYER_A, false],
    ['grant that expires later', [grant('EMPLOYER_DISCLOSURE', EMPLOYER_A, new Date('2027-01-01T00:00:00Z'))], EMPLOYER_A, true],
    ['grant for another purpose', [grant('MARKETING', null)], EMPLOYER_A, false],
  ];
  it.each(cases)('%s', (_name, records, recipient, expected) => {
    expect(isConsentGranted(records, 'EMPLOYER_DISCLOSURE', recipient, NOW)).toBe(expected);
  });
  it('needs a grant without recipient for subject-only purposes', () => {
    expect(isConsentGranted([grant('MARKETING', null)], 'MARKETING', null, NOW)).toBe(true);
    expect(isConsentGranted([withdrawn('MARKETING', null)], 'MARKETING', null, NOW)).toBe(false);
  });
});

describe('restrictions (APPI Art. 35)', () => {
  const caller = { sub: 'staff-1', org: null };
  it('asks for a restriction check under a restrictable purpose without consent (SUPPORT) only', () => {
    expect(subjectCheck(email, { purpose: 'SUPPORT' })).toEqual({ self: false, consent: null, restriction: 'SUPPORT' });
    expect(subjectCheck(email, { purpose: 'FRAUD_PREVENTION' })).toBeNull();
    expect(subjectCheck(email, { purpose: 'BILLING' })).toBeNull();
    expect(subjectCheck(email, { purpose: 'LEGAL_OBLIGATION' })).toBeNull();
  });
  it('withholds as a missing consent would when the subject restricted the purpose, and fails closed on an unknown state', () => {
    const check = subjectCheck(email, { purpose: 'SUPPORT' })!;
    expect(decideForSubject(check, caller, 's1', [], NOW)).toEqual({ kind: 'allow' });
    expect(decideForSubject(check, caller, 's1', [restrictionMarker('MARKETING')], NOW)).toEqual({ kind: 'allow' });
    expect(decideForSubject(check, caller, 's1', [restrictionMarker('SUPPORT')], NOW)).toEqual({ kind: 'deny', code: 'CONSENT_REQUIRED', reason: 'RESTRICTED' });
    expect(decideForSubject(check, caller, 's1', 'unknown', NOW)).toMatchObject({ kind: 'deny', code: 'CONSENT_REQUIRED' });
    // A marker grants nothing: it never opens a consent purpose.
    expect(isConsentGranted([restrictionMarker('MARKETING')], 'MARKETING', null, NOW)).toBe(false);
  });
});

describe('decideForSubject', () => {
  const employerCheck = subjectCheck(email, { purpose: 'EMPLOYER_DISCLOSURE' })!;
  const selfCheck = subjectCheck(email, { purpose: 'SERVICE_PROVISION' })!;
  const caller = { sub: 'user-1', org: EMPLOYER_A };
  it('releases with consent, withholds without it', () => {
    expect(decideForSubject(employerCheck, caller, 's1', [grant('EMPLOYER_DISCLOSURE', EMPLOYER_A)], NOW)).toEqual({ kind: 'allow' });
    expect(decideForSubject(employerCheck, caller, 's1', [], NOW)).toMatchObject({ kind: 'deny', code: 'CONSENT_REQUIRED' });
  });
  it('withholds when the consent state is unknown (lookup failed)', () => {
    expect(decideForSubject(employerCheck, caller, 's1', 'unknown', NOW)).toMatchObject({ code: 'CONSENT_REQUIRED', reason: 'CONSENT_UNKNOWN' });
  });
  it('withholds when the subject cannot be identified', () => {
    expect(decideForSubject(employerCheck, caller, null, [], NOW)).toMatchObject({ kind: 'deny', reason: 'NO_SUBJECT' });
  });
  it('withholds a per-employer purpose from a caller without an employer', () => {
    expect(decideForSubject(employerCheck, { sub: 'x', org: null }, 's1', [grant('EMPLOYER_DISCLOSURE', null)], NOW).kind).toBe('deny');
  });
  it("releases the caller's own record only", () => {
    expect(decideForSubject(selfCheck, caller, 'user-1', [], NOW)).toEqual({ kind: 'allow' });
    expect(decideForSubject(selfCheck, caller, 'user-2', [], NOW)).toMatchObject({ code: 'PII_REDACTED', reason: 'NOT_OWN_RECORD' });
  });
});
