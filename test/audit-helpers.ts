import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/client.ts';

/**
 * Makes the access log hang for `ms`: on PostgreSQL another connection holds an exclusive lock on it; the embedded
 * database has one connection, held in a transaction, so every other statement waits.
 */
export function holdAccessLog(handle: DatabaseHandle, ms: number): Promise<unknown> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  return handle.pglite
    ? handle.pglite.transaction(async (tx) => {
        await tx.query('select 1');
        await pause();
      })
    : handle.db.transaction(async (tx) => {
        await tx.execute(sql.raw('lock table privacy.access_log in access exclusive mode'));
        await pause();
      });
}

/** The database's own message for a refused statement (Drizzle wraps it as the cause); 'not refused' otherwise. */
export async function refusal(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
  } catch (error) {
    return String((error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message);
  }
  return 'not refused';
}
