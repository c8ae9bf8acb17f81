/**
 * Suspension of use (APPI Art. 35) in the users subgraph: `Mutation.restrictProcessing` and `Mutation.liftRestriction`.
 * Which purposes can be restricted is data (directives/purposes.ts, `restriction`); the restriction is stored through
 * ledger/restrictions.ts in the transaction that files its request (ledger/requests.ts), so either both are written
 * or neither. From the next request on, the subject's values are withheld under a restricted purpose as a withdrawn
 * consent would be (ledger/consent.ts for consent purposes, the gateway's per-subject check for the others).
 *
 * - The candidate acts on their own data (under SERVICE_PROVISION). Support or compliance staff may file on a
 *   candidate's behalf under IDENTITY_VERIFICATION, naming the candidate and the verification reference.
 * - Bad input (no purpose, a purpose that cannot be restricted, a missing or malformed subject or reference) is
 *   BAD_USER_INPUT naming the argument (and the purpose, a name from the policy) and writes nothing.
 * - Idempotent: restricting a restricted purpose, or lifting one that is not, changes nothing but is still recorded
 *   as a completed request.
 */
import { PURPOSES, isPurpose, isRestrictablePurpose, type RestrictablePurpose } from '../../directives/purposes.ts';
import { fileRequest, type DsrRequest } from '../../ledger/requests.ts';
import { liftRestrictions, restrictPurposes } from '../../ledger/restrictions.ts';
import { readSubjectStanding } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { badInput, forbidden, withoutLeaks } from '../common/errors.ts';
import { isUuid } from '../common/sql.ts';
import { verificationReference } from './rights.ts';

const STAFF_ROLES: ReadonlySet<string> = new Set(['support', 'compliance']);

export interface RestrictionArgs {
  purposes: readonly string[];
  subject?: string | null;
  verification?: string | null;
}

/** Who the request is about and who files it, or why not (FORBIDDEN / BAD_USER_INPUT). */
export function requestFiler(ctx: SubgraphContext, args: { subject?: string | null; verification?: string | null }) {
  const { caller } = ctx;
  if (caller.role === 'candidate' && caller.purpose === 'SERVICE_PROVISION' && isUuid(caller.sub)) {
    if (args.subject !== null && args.subject !== undefined && args.subject.toLowerCase() !== caller.sub.toLowerCase()) {
      throw forbidden('A candidate files requests about their own data only.');
    }
    return { subjectId: caller.sub.toLowerCase(), filedBy: caller.sub, filedByRole: 'candidate', verification: null };
  }
  if (STAFF_ROLES.has(caller.role) && caller.purpose === 'IDENTITY_VERIFICATION') {
    if (!isUuid(args.subject)) throw badInput('"subject" must be the id of the candidate the request is filed for.', { argument: 'subject' });
    return { subjectId: args.subject.toLowerCase(), filedBy: caller.sub, filedByRole: caller.role, verification: verificationReference(args.verification) };
  }
  throw forbidden('Only the candidate (SERVICE_PROVISION), or staff on their behalf after identity verification (IDENTITY_VERIFICATION), can file this request.');
}

/** The purposes named, each restrictable, without repeats; BAD_USER_INPUT naming the first that is not. */
export function restrictablePurposes(purposes: readonly string[]): RestrictablePurpose[] {
  if (!Array.isArray(purposes) || purposes.length === 0) throw badInput('"purposes" must name at least one purpose.', { argument: 'purposes' });
  const out: RestrictablePurpose[] = [];
  for (const purpose of purposes) {
    if (!isPurpose(purpose)) throw badInput('"purposes" names an unknown purpose.', { argument: 'purposes' });
    if (!isRestrictablePurpose(purpose)) {
      throw badInput(`"purposes": ${purpose} cannot be restricted. ${PURPOSES[purpose].restriction.reason}`, { argument: 'purposes', purpose });
    }
    if (!out.includes(purpose)) out.push(purpose);
  }
  return out;
}

/**
 * Restricts (or lifts) purposes for the subject: validates everything, then files the completed request and changes
 * the restrictions in one transaction.
 */
export async function changeRestriction(ctx: SubgraphContext, action: 'RESTRICT' | 'LIFT', args: RestrictionArgs): Promise<DsrRequest> {
  const filer = requestFiler(ctx, args);
  const purposes = restrictablePurposes(args.purposes);
  return withoutLeaks('record the restriction', () =>
    ctx.db.transaction(async (tx) => {
      // Locked until the commit: the subject cannot leave the service between this check and the restriction.
      const standing = await readSubjectStanding(tx, filer.subjectId, { lock: true });
      if (standing === null) {
        if (filer.filedByRole === 'candidate') throw forbidden('Only a registered candidate can file this request.');
        throw badInput('"subject" is not a known candidate.', { argument: 'subject' });
      }
      const at = new Date();
      const request = await fileRequest(tx, {
        kind: action === 'RESTRICT' ? 'RESTRICTION' : 'LIFT_RESTRICTION',
        subjectId: filer.subjectId,
        filedBy: filer.filedBy,
        filedByRole: filer.filedByRole,
        verification: filer.verification,
        status: 'COMPLETED',
        detail: { purposes },
        at,
      });
      if (action === 'RESTRICT') await restrictPurposes(tx, { subjectId: filer.subjectId, purposes, requestId: request.id, at });
      else await liftRestrictions(tx, { subjectId: filer.subjectId, purposes });
      return request;
    }),
  );
}

