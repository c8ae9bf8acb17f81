/** SQL helpers shared by the subgraphs: id validation and keyset pagination over (timestamp, uuid). */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.ts';
import { ServiceError } from '../../directives/errors.ts';
import { isUuid } from '../../directives/protocol/ids.ts';
import type { CursorPosition } from './pagination.ts';

export { isUuid };

/** `= any($1::uuid[])` for a list of validated ids. */
export function uuidIn(column: AnyPgColumn, ids: readonly string[]): SQL {
  return sql`${column} = any(${`{${ids.join(',')}}`}::uuid[])`;
}

/** `= any(:ids::uuid[])` with the ids left as a placeholder, for statements prepared once (see `preparedByIds`). */
export function idsIn(column: AnyPgColumn): SQL {
  return sql`${column} = any(${sql.placeholder('ids')}::uuid[])`;
}

/** What `preparedByIds` needs of a Drizzle query: the statement it prepares. */
interface Preparable<R> {
  prepare(name: string): { execute(placeholders: { ids: string }): Promise<R[]> };
}

/**
 * A select by a list of ids, built and prepared once per database and run on every call: the hot loaders
 * (entity references, their rows by candidate) skip Drizzle's query building on every request, and on PostgreSQL
 * the statement is a named prepared statement (parsed and planned once per connection). Rows are Drizzle's own.
 * `build` must filter with `idsIn(column)`; the ids must already be valid UUIDs.
 * @example const byId = preparedByIds('users_candidates_by_id', (db) => db.select().from(candidates).where(idsIn(candidates.id)));
 *          const rows = await byId(ctx.db, ids);
 */
export function preparedByIds<R>(name: string, build: (db: Database) => Preparable<R>): (db: Database, ids: readonly string[]) => Promise<R[]> {
  const statements = new WeakMap<Database, ReturnType<Preparable<R>['prepare']>>();
  return (db, ids) => {
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db).prepare(name);
      statements.set(db, statement);
    }
    return statement.execute({ ids: `{${ids.join(',')}}` });
  };
}

/** A timestamptz rendered at full (microsecond) precision in UTC, so a cursor round-trips exactly. */
export function timestampKey(column: AnyPgColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function badCursor(): ServiceError {
  return new ServiceError('BAD_USER_INPUT', '"after" is not a valid cursor.', { argument: 'after' });
}

/**
 * Keyset condition for a list ordered by `(timestamp desc, id desc)`: rows strictly after the cursor.
 * A cursor that does not have the expected shape is a client error, never a SQL error.
 */
export function afterTimestampCursor(timestamp: AnyPgColumn, id: AnyPgColumn, cursor: CursorPosition | null): SQL | undefined {
  if (!cursor) return undefined;
  if (!TIMESTAMP_KEY.test(cursor.key) || !isUuid(cursor.id)) throw badCursor();
  return sql`(${timestamp}, ${id}) < (${cursor.key}::timestamptz, ${cursor.id}::uuid)`;
}

/** Keyset condition for a list ordered by `id asc`. */
export function afterIdCursor(id: AnyPgColumn, cursor: CursorPosition | null): SQL | undefined {
  if (!cursor) return undefined;
  if (!isUuid(cursor.id)) throw badCursor();
  return sql`${id} > ${cursor.id}::uuid`;
}

export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
