import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { ConsentRecord } from '../directives/decide.ts';
import { isUuid } from '../subgraphs/common/sql.ts';

/**
 * Loads the current consent rows of many subjects in one prepared query (never cached: withdrawals take effect at once).
 * A subject id that is not a UUID has no consent, so whatever depends on it stays withheld.
 */
export function createConsentLoader(db: Database) {
  const lookup = db
    .select({
      subjectId: consents.subjectId,
      purpose: consents.purpose,
      recipientId: consents.recipientId,
      state: consents.state,
      expiresAt: consents.expiresAt,
    })
    .from(consents)
    .where(sql`${consents.subjectId} = any(${sql.placeholder('subjects')}::uuid[])`)
    .prepare('gateway_consent_lookup');
  return async (subjectIds: readonly string[]): Promise<Map<string, ConsentRecord[]>> => {
    const out = new Map<string, ConsentRecord[]>();
    const ids = subjectIds.filter(isUuid);
    if (ids.length === 0) return out;
    const rows = await lookup.execute({ subjects: `{${ids.join(',')}}` });
    for (const row of rows) {
      const list = out.get(row.subjectId) ?? [];
      list.push({ purpose: row.purpose, recipientId: row.recipientId, state: row.state, expiresAt: row.expiresAt });
      out.set(row.subjectId, list);
    }
    return out;
  };
}
