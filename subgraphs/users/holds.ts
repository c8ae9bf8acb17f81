/**
 * Legal holds through the graph (compliance staff only): `setLegalHold`, `releaseLegalHold` and `Query.legalHolds`,
 * over the ledger's module (ledger/holds.ts). While a hold stands, retention deletes nothing of the subject's. A hold
 * names a registered candidate (any standing: a candidate who left may still be held) and a reference such as a
 * court case number; bad input is BAD_USER_INPUT naming the argument, and nothing is written.
 */
import { readStandingHold, readStandingHolds, releaseLegalHold, setLegalHold, type LegalHold } from '../../ledger/holds.ts';
import { readSubjectStanding } from '../../ledger/subjects.ts';
import type { SubgraphContext } from '../common/context.ts';
import { badInput, forbidden, withoutLeaks } from '../common/errors.ts';
import { isUuid, iso } from '../common/sql.ts';

/** The longest reference a hold keeps. */
export const MAX_HOLD_REFERENCE = 200;

/** Compliance under a legal obligation (with its x-legal-basis, checked by the gateway) or internal audit. */
function requireCompliance(ctx: SubgraphContext): void {
  const { role, purpose } = ctx.caller;
  if (role !== 'compliance' || (purpose !== 'LEGAL_OBLIGATION' && purpose !== 'INTERNAL_AUDIT')) {
    throw forbidden('Only compliance staff under LEGAL_OBLIGATION or INTERNAL_AUDIT set, release or read legal holds.');
  }
}

function subjectIdOf(value: unknown): string {
  if (!isUuid(value)) throw badInput('subjectId must be a candidate id (a UUID).', { argument: 'subjectId' });
  return value.toLowerCase();
}

/** A reference is one line of 1–200 characters; the message never repeats it. */
function referenceOf(value: unknown): string {
  const reference = typeof value === 'string' ? value.trim() : '';
  if (reference.length === 0 || reference.length > MAX_HOLD_REFERENCE || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(reference)) {
    throw badInput(`reference must be one line of 1 to ${MAX_HOLD_REFERENCE} characters (e.g. a court case number).`, { argument: 'reference' });
  }
  return reference;
}

async function requireRegistered(tx: Parameters<typeof readSubjectStanding>[0], subjectId: string): Promise<void> {
  if ((await readSubjectStanding(tx, subjectId)) === null) throw badInput('subjectId names no registered candidate.', { argument: 'subjectId' });
}

export const legalHoldResolvers = {
  Query: {
    legalHolds: (_parent: unknown, _args: unknown, ctx: SubgraphContext) => {
      requireCompliance(ctx);
      return readStandingHolds(ctx.db);
    },
  },
  Mutation: {
    setLegalHold: async (_parent: unknown, args: { subjectId: unknown; reference: unknown }, ctx: SubgraphContext): Promise<LegalHold> => {
      requireCompliance(ctx);
      const subjectId = subjectIdOf(args.subjectId);
      const reference = referenceOf(args.reference);
      return withoutLeaks('set the legal hold', () =>
        ctx.db.transaction(async (tx) => {
          await requireRegistered(tx, subjectId);
          return setLegalHold(tx, { subjectId, reference, setBy: ctx.caller.sub });
        }),
      ).catch(async (error: unknown) => {
        // Two holds set at once: the unique index lets one in; the other returns it.
        const standing = await readStandingHold(ctx.db, subjectId);
        if (standing) return standing;
        throw error;
      });
    },
    releaseLegalHold: async (_parent: unknown, args: { subjectId: unknown }, ctx: SubgraphContext): Promise<LegalHold | null> => {
      requireCompliance(ctx);
      const subjectId = subjectIdOf(args.subjectId);
      return withoutLeaks('release the legal hold', () =>
        ctx.db.transaction(async (tx) => {
          await requireRegistered(tx, subjectId);
          return releaseLegalHold(tx, { subjectId, releasedBy: ctx.caller.sub });
        }),
      );
    },
  },
  LegalHold: {
    setAt: (row: LegalHold) => iso(row.setAt),
    releasedAt: (row: LegalHold) => (row.releasedAt ? iso(row.releasedAt) : null),
    standing: (row: LegalHold) => row.releasedAt === null,
  },
};
