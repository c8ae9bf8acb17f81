import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { ConsentRecord } from '../directives/decide.ts';

/** Loads the current consent rows of many subjects in one query (never cached: withdrawals take effect at once). */
export function createConsentLoader(db: Database) {
  return async (subjectIds: readonly string[]): Promise<Map<string, ConsentRecord[]>> => {
    const out = new Map<string, ConsentRecord[]>();
    if (subjectIds.length === 0) return out;
    const rows = await db
      .select({
        subjectId: consents.subjectId,
        purpose: consents.purpose,
        recipientId: consents.recipientId,
        state: consents.state,
        expiresAt: consents.expiresAt,
      })
      .from(consents)
      .where(inArray(consents.subjectId, [...subjectIds]));
    for (const row of rows) {
      const list = out.get(row.subjectId) ?? [];
      list.push({ purpose: row.purpose, recipientId: row.recipientId, state: row.state, expiresAt: row.expiresAt });
      out.set(row.subjectId, list);
    }
    return out;
  };
}
