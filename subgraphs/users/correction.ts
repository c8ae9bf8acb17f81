/**
 * Correction (APPI Art. 34) in the users subgraph: `Mutation.updateMyProfile`. The candidate corrects their own
 * record under SERVICE_PROVISION: names (with kana), e-mail, phone, address, desired industries and prefectures, and
 * the CV's summary and skills.
 *
 * - Everything is validated first (profile-validation.ts); a problem is BAD_USER_INPUT naming the field, never the
 *   value, and nothing is written.
 * - The correction and its record are one transaction: the request (`privacy.dsr_requests`, kind CORRECTION,
 *   COMPLETED) names the coordinates written, the time and the actor, never the old or the new value.
 * - An e-mail address another account uses (compared without regard to case) is refused without saying whose it is.
 * - Replacing any part of the CV sets `users.resumes.received_at` to now: the CV's one-year retention restarts.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import { addresses, candidates, resumes } from '../../db/schema/users.ts';
import { fileRequest } from '../../ledger/requests.ts';
import type { SubgraphContext } from '../common/context.ts';
import { badInput, forbidden, withoutLeaks } from '../common/errors.ts';
import { isUuid } from '../common/sql.ts';
import { validateProfileUpdate, type ProfileUpdateInput } from './profile-validation.ts';

type CandidateRow = typeof candidates.$inferSelect;

const EMAIL_TAKEN = '"input.email" is already used by another account: choose another address.';

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/**
 * Applies the calling candidate's correction and records it; returns the corrected candidate row.
 * @example updateMyProfile(ctx, { input: { phone: '090-1234-5678' } })
 */
export async function updateMyProfile(ctx: SubgraphContext, args: { input: ProfileUpdateInput }): Promise<CandidateRow> {
  const { caller } = ctx;
  if (caller.role !== 'candidate' || caller.purpose !== 'SERVICE_PROVISION' || !isUuid(caller.sub)) {
    throw forbidden('Only a candidate corrects their own profile (under SERVICE_PROVISION).');
  }
  const subjectId = caller.sub.toLowerCase();
  const checked = validateProfileUpdate(args.input ?? {});
  if (!checked.ok) throw badInput(checked.problem.message, { argument: 'input', field: checked.problem.field });
  const { patch } = checked;

  return withoutLeaks('record the correction', () =>
    ctx.db.transaction(async (tx) => {
      const [current] = await tx.select().from(candidates).where(eq(candidates.id, subjectId)).for('update');
      if (!current) throw forbidden('Only a registered candidate corrects their profile.');
      const at = new Date();
      if (patch.candidate.email !== undefined) {
        const [taken] = await tx
          .select({ id: candidates.id })
          .from(candidates)
          .where(and(sql`lower(${candidates.email}) = lower(${patch.candidate.email})`, ne(candidates.id, subjectId)))
          .limit(1);
        if (taken) throw badInput(EMAIL_TAKEN, { argument: 'input', field: 'input.email' });
      }
      let row = current;
      if (Object.keys(patch.candidate).length > 0) {
        try {
          [row] = (await tx.update(candidates).set({ ...patch.candidate, updatedAt: at }).where(eq(candidates.id, subjectId)).returning()) as [CandidateRow];
        } catch (error) {
          if (isUniqueViolation(error)) throw badInput(EMAIL_TAKEN, { argument: 'input', field: 'input.email' });
          throw error;
        }
      }
      if (patch.address) {
        await tx
          .insert(addresses)
          .values({ candidateId: subjectId, ...patch.address })
          .onConflictDoUpdate({ target: addresses.candidateId, set: patch.address });
      }
      if (patch.resume) {
        // A CV replaced in part is a CV received now: its retention period starts again.
        const [updated] = await tx
          .update(resumes)
          .set({ ...patch.resume, receivedAt: at, updatedAt: at })
          .where(eq(resumes.candidateId, subjectId))
          .returning({ candidateId: resumes.candidateId });
        if (!updated) {
          if (patch.resume.summary === undefined) {
            throw badInput('"input.resume.summary" is needed: there is no CV yet to add skills to.', { argument: 'input', field: 'input.resume.summary' });
          }
          await tx.insert(resumes).values({ candidateId: subjectId, summary: patch.resume.summary, skills: patch.resume.skills ?? [], receivedAt: at, updatedAt: at });
        }
      }
      await fileRequest(tx, {
        kind: 'CORRECTION',
        subjectId,
        filedBy: caller.sub,
        filedByRole: 'candidate',
        status: 'COMPLETED',
        detail: { coordinates: patch.coordinates },
        at,
      });
      return row;
    }),
  );
}
