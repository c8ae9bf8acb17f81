import { and, eq, sql, type SQL } from 'drizzle-orm';
import { candidates } from '../../db/schema/users.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import { SUBJECT_CONSENT_PURPOSES as SUBJECT_ONLY, type ConsentPurpose } from '../../directives/purposes.ts';
import { hasConsentSql } from '../../ledger/consent.ts';
import { notRestrictedUnderSql } from '../../ledger/restrictions.ts';
import { isUuid } from '../common/sql.ts';

/** The purposes a marketer may reach candidates under: those consented to per subject (directives/purposes.ts). */
const SUBJECT_CONSENT_PURPOSES: ReadonlySet<string> = new Set<string>(SUBJECT_ONLY);

/**
 * Row rule for looking a candidate up by id (`candidate`, `node`): the SQL condition under which
 * `users.candidates` rows are visible to `caller`, or null when no row is.
 * - candidate: only its own record;
 * - employer: active candidates who currently consent to EMPLOYER_DISCLOSURE to this employer;
 * - marketer: active candidates who currently consent to the declared purpose (MARKETING, SURVEY, ADVERTISING);
 * - support, compliance: every candidate (the gateway checks purpose and legal basis, and audits) but, under a
 *   restrictable purpose that needs no consent (SUPPORT), those who restricted it;
 * - analyst and anything else: none (fail closed).
 */
export function candidateVisibility(caller: BoundCaller): SQL | null {
  switch (caller.role) {
    case 'candidate':
      return isUuid(caller.sub) ? eq(candidates.id, caller.sub) : null;
    case 'employer':
      if (!isUuid(caller.org)) return null;
      return hasConsentSql(candidates.id, 'EMPLOYER_DISCLOSURE', caller.org);
    case 'marketer':
      if (!SUBJECT_CONSENT_PURPOSES.has(caller.purpose)) return null;
      return hasConsentSql(candidates.id, caller.purpose as ConsentPurpose, null);
    case 'support':
    case 'compliance':
      return notRestrictedUnderSql(candidates.id, caller.purpose) ?? sql`true`;
    default:
      return null;
  }
}
