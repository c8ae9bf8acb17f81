import type { BoundCaller, Caller } from '../../../directives/caller.ts';
import { PrivacyError } from '../../../directives/errors.ts';
import { isLegalBasis, isPurpose, type Purpose } from '../../../directives/purposes.ts';

const LEGAL_BASIS_REFERENCE = /^[\p{L}\p{N} ._:/#()\-]{3,200}$/u;

/**
 * Binds a caller to the purpose declared in `x-purpose` (and `x-legal-basis` for legal-basis purposes).
 * @example bindPurpose(caller, { purpose: req.headers['x-purpose'], legalBasis: req.headers['x-legal-basis'] })
 */
export function bindPurpose(caller: Caller, headers: { purpose?: string | undefined; legalBasis?: string | undefined }): BoundCaller {
  const declared = headers.purpose?.trim();
  let purpose: Purpose;
  if (!declared) {
    if (caller.purposes.length !== 1) {
      throw new PrivacyError('PURPOSE_REQUIRED', 'Declare the purpose of this request in the "x-purpose" header.');
    }
    purpose = caller.purposes[0]!;
  } else {
    // A legal basis is the compliance role's alone, whatever else the token says.
    if (isPurpose(declared) && isLegalBasis(declared) && caller.role !== 'compliance') {
      throw new PrivacyError('LEGAL_BASIS_REQUIRED', 'Legal-basis purposes are reserved for the compliance role.');
    }
    if (!isPurpose(declared) || !caller.purposes.includes(declared)) {
      throw new PrivacyError('PURPOSE_NOT_PERMITTED', 'The declared purpose is not permitted for this token.');
    }
    purpose = declared;
  }
  if (!isLegalBasis(purpose)) return { ...caller, purpose, legalBasis: null };
  const reference = headers.legalBasis?.trim();
  if (caller.role !== 'compliance') {
    throw new PrivacyError('LEGAL_BASIS_REQUIRED', 'Legal-basis purposes are reserved for the compliance role.');
  }
  if (!reference || !LEGAL_BASIS_REFERENCE.test(reference)) {
    throw new PrivacyError(
      'LEGAL_BASIS_REQUIRED',
      'A legal-basis purpose needs an "x-legal-basis" header with the reference (3-200 letters, digits, spaces or ._:/#()-).',
    );
  }
  return { ...caller, purpose, legalBasis: reference };
}
