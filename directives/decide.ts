import type { BoundCaller } from './caller.ts';
import type { FieldClassification, FieldPolicy } from './policy.ts';
import { PURPOSES, RESTRICTABLE_WITHOUT_CONSENT, type ConsentPurpose, type MaskStrategy, type Purpose, type RestrictablePurpose } from './purposes.ts';
import { roleMayHold, type Role } from './roles.ts';
// The consent rule itself lives with the ledger (ledger/consent.ts); decisions here only apply it.
import { isConsentGranted, isPurposeRestricted, type ConsentRecord } from '../ledger/consent.ts';

export type { ConsentRecord };

/** Why a field was withheld; goes to the audit log, never to the client. */
export type DenyReason =
  | 'UNKNOWN_POLICY'
  | 'ROLE_NOT_PERMITTED'
  | 'AGGREGATE_ONLY'
  | 'PURPOSE_NOT_ALLOWED'
  | 'NOT_OWN_RECORD'
  | 'NO_SUBJECT'
  | 'NO_CONSENT'
  | 'CONSENT_UNKNOWN'
  | 'RESTRICTED';

/** The outcome for one field: release it, release a masked form, or withhold it. */
export type Decision =
  | { kind: 'allow' }
  | { kind: 'mask'; strategy: MaskStrategy }
  | { kind: 'deny'; code: 'PII_REDACTED' | 'CONSENT_REQUIRED'; reason: DenyReason };

export const ALLOW: Decision = Object.freeze({ kind: 'allow' });

function deny(reason: DenyReason, code: 'PII_REDACTED' | 'CONSENT_REQUIRED' = 'PII_REDACTED'): Decision {
  return { kind: 'deny', code, reason };
}

/**
 * Decides a field from its classification and the caller's role and purpose alone (no I/O).
 * Unclassified fields are denied: a field nobody tagged is never released by default.
 * @example decide(index.fields.get('Candidate.email'), { role: 'support', purpose: 'SUPPORT' })
 */
export function decide(field: FieldClassification | undefined, caller: { role: Role; purpose: Purpose }): Decision {
  if (!field) return deny('UNKNOWN_POLICY');
  if (field.kind === 'notPersonal') return ALLOW;
  if (field.kind === 'aggregate') {
    // Statistics only for a role that may hold one of the field's aggregate-only purposes, and only under it.
    if (!roleMayHold(caller.role, caller.purpose)) return deny('ROLE_NOT_PERMITTED');
    return field.purposes.has(caller.purpose) && PURPOSES[caller.purpose].aggregateOnly ? ALLOW : deny('PURPOSE_NOT_ALLOWED');
  }
  const { policy } = field;
  if (!roleMayHold(caller.role, caller.purpose)) return deny('ROLE_NOT_PERMITTED');
  if (PURPOSES[caller.purpose].aggregateOnly) return deny('AGGREGATE_ONLY');
  if (policy.purposes.has(caller.purpose)) return ALLOW;
  if (policy.masked.has(caller.purpose) && policy.mask) return { kind: 'mask', strategy: policy.mask };
  return deny('PURPOSE_NOT_ALLOWED');
}

/** What must still be checked per data subject before a released field reaches the caller. */
export interface SubjectCheck {
  /** The purpose covers the caller's own record only. */
  self: boolean;
  /** Consent the subject must have given (to the calling employer when `perRecipient`), or null. */
  consent: { purpose: ConsentPurpose; perRecipient: boolean } | null;
  /**
   * A restrictable purpose that needs no consent (SUPPORT): the subject must not have restricted it (APPI Art. 35).
   * A consent purpose's restriction is part of its consent check (ledger/consent.ts), never a check of its own.
   */
  restriction?: RestrictablePurpose | null;
}

const RESTRICTABLE_ONLY: ReadonlySet<Purpose> = new Set(RESTRICTABLE_WITHOUT_CONSENT);

/** The per-subject checks a field needs under the caller's purpose; null when none. */
export function subjectCheck(policy: FieldPolicy, caller: Pick<BoundCaller, 'purpose'>): SubjectCheck | null {
  const definition = PURPOSES[caller.purpose];
  const self = definition.scope === 'self';
  // Legal-basis purposes never need consent (they are exceptions to it); they still need the purpose.
  const needsConsent = !definition.legalBasis && (policy.consent.has(caller.purpose) || definition.consent !== 'none');
  const consent = needsConsent
    ? {
        purpose: caller.purpose as ConsentPurpose,
        perRecipient: definition.consent === 'subject-and-recipient',
      }
    : null;
  const restriction = !definition.legalBasis && !consent && RESTRICTABLE_ONLY.has(caller.purpose) ? (caller.purpose as RestrictablePurpose) : null;
  if (!self && !consent && !restriction) return null;
  return restriction ? { self, consent, restriction } : { self, consent };
}

/**
 * What a caller's checks can depend on: these purposes, for every employer (recipient null) or for this
 * recipient, decided at `now`. Given a scope, a loader may answer with effective grants instead of raw rows:
 * one live record per (subject, purpose) the scope grants, so that isConsentGranted answers exactly as it would
 * on the raw rows for the scope's purposes and recipient.
 */
export interface ConsentScope {
  purposes: readonly string[];
  recipient: string | null;
  now: Date;
}

/** Loads the current consent of many subjects at once (see ConsentScope). */
export type ConsentLoader = (subjectIds: readonly string[], scope?: ConsentScope) => Promise<ReadonlyMap<string, readonly ConsentRecord[]>>;

/**
 * Applies a field's per-subject checks. `consent` is the subject's consent state (with its restriction markers, see
 * restrictionMarker), or `'unknown'` when it could not be loaded (which denies: privacy fails closed).
 */
export function decideForSubject(
  check: SubjectCheck,
  caller: Pick<BoundCaller, 'sub' | 'org'>,
  subjectId: string | null,
  consent: readonly ConsentRecord[] | 'unknown',
  now: Date,
): Decision {
  // A value no subject is identified for cannot be one a subject restricted: a restriction alone lets it pass, as
  // it passed before restrictions existed; the other checks still need a subject.
  if (subjectId === null && !check.self && !check.consent) return ALLOW;
  if (subjectId === null) return deny('NO_SUBJECT', check.consent ? 'CONSENT_REQUIRED' : 'PII_REDACTED');
  if (check.self && subjectId !== caller.sub) return deny('NOT_OWN_RECORD');
  if (check.consent) {
    if (consent === 'unknown') return deny('CONSENT_UNKNOWN', 'CONSENT_REQUIRED');
    const recipient = check.consent.perRecipient ? caller.org : null;
    // A per-employer purpose without an employer to check against can never be consented to.
    if (check.consent.perRecipient && recipient === null) return deny('NO_CONSENT', 'CONSENT_REQUIRED');
    if (!isConsentGranted(consent, check.consent.purpose, recipient, now)) {
      return deny('NO_CONSENT', 'CONSENT_REQUIRED');
    }
  }
  if (check.restriction) {
    if (consent === 'unknown') return deny('CONSENT_UNKNOWN', 'CONSENT_REQUIRED');
    // Withheld as a withdrawn consent is: the client cannot tell a restriction from a missing consent.
    if (isPurposeRestricted(consent, check.restriction)) return deny('RESTRICTED', 'CONSENT_REQUIRED');
  }
  return ALLOW;
}
