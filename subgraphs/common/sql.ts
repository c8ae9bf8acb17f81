/** SQL helpers shared by the subgraphs: id validation and keyset pagination over (timestamp, uuid). */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import type { CursorPosition } from './pagination.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID: anything else must never reach a `::uuid` cast. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** `= any($1::uuid[])` for a list of validated ids. */
export function uuidIn(column: AnyPgColumn, ids: readonly string[]): SQL {
  return sql`${column} = any(${`{${ids.join(',')}}`}::uuid[])`;
}

/** A timestamptz rendered at full (microsecond) precision in UTC, so a cursor round-trips exactly. */
export function timestampKey(column: AnyPgColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function badCursor(): GraphQLError {
  return new GraphQLError('"after" is not a valid cursor.', { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
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
