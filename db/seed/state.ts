// Whether a database holds data yet: read without loading the seed generator (a development dependency).
import type { Database } from '../client.ts';
import { candidates } from '../schema/users.ts';

/** True once the database holds a candidate. */
export async function isSeeded(db: Pick<Database, 'select'>): Promise<boolean> {
  const rows = await db.select({ id: candidates.id }).from(candidates).limit(1);
  return rows.length > 0;
}
