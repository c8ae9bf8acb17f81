import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { ConsentLoader, ConsentRecord } from '../directives/decide.ts';
import { isUuid } from '../subgraphs/common/sql.ts';

/** Text-array literal for a `$n::text[]` or `$n::uuid[]` parameter (values are validated UUIDs or purpose names). */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

const SAFE_PURPOSE = /^[A-Z_]+$/;

/**
 * Loads the current consent rows of many subjects in one prepared query (never cached: withdrawals take effect at once).
 * With a scope, only the rows the checks can depend on: the scope's purposes, given to every employer or to the
 * scope's recipient (an employer page does not fetch every other employer's grants).
 * A subject id that is not a UUID has no consent, so whatever depends on it stays withheld.
 */
export function createConsentLoader(db: Database): ConsentLoader {
  const columns = {
    subjectId: consents.subjectId,
    purpose: consents.purpose,
    recipientId: consents.recipientId,
    state: consents.state,
    expiresAt: consents.expiresAt,
  };
  const lookup = db
    .select(columns)
    .from(consents)
    .where(sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[])`)
    .prepare('gateway_consent_lookup');
  const scoped = db
    .select(columns)
    .from(consents)
    .where(
      sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[]) and ${consents.purpose} = any(${sql.placeholder('purposes')}::text[]) and (${consents.recipientId} is null or ${consents.recipientId} = ${sql.placeholder('recipient')}::uuid)`,
    )
    .prepare('gateway_consent_lookup_scoped');
  return async (subjectIds, scope) => {
    const out = new Map<string, ConsentRecord[]>();
    const ids = subjectIds.filter(isUuid);
    if (ids.length === 0) return out;
    const rows =
      scope && scope.purposes.every((p) => SAFE_PURPOSE.test(p)) && (scope.recipient === null || isUuid(scope.recipient))
        ? await scoped.execute({ subjects: arrayLiteral(ids), purposes: arrayLiteral(scope.purposes), recipient: scope.recipient })
        : await lookup.execute({ subjects: arrayLiteral(ids) });
    for (const row of rows) {
      const list = out.get(row.subjectId) ?? [];
      list.push({ purpose: row.purpose, recipientId: row.recipientId, state: row.state, expiresAt: row.expiresAt });
      out.set(row.subjectId, list);
    }
    return out;
  };
}
