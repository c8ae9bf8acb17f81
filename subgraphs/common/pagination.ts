import { ServiceError } from '../../directives/errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Validates `first`; a value outside 0…100 is a client error, never silently clamped. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new ServiceError('BAD_USER_INPUT', `"first" must be an integer between 0 and ${MAX_PAGE_SIZE}.`, { argument: 'first', max: MAX_PAGE_SIZE });
  }
  return first;
}

/** An opaque cursor over a (sort key, id) pair. */
export interface CursorPosition {
  key: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.key, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): CursorPosition | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { key: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ServiceError('BAD_USER_INPUT', '"after" is not a valid cursor.', { argument: 'after' });
}

/** Builds a connection from `limit + 1` fetched rows. */
export function connection<T>(rows: readonly T[], limit: number, positionOf: (row: T) => CursorPosition) {
  const nodes = rows.slice(0, limit);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: last ? encodeCursor(positionOf(last)) : null },
  };
}
