import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { CLIENT_SAFE_CODES, isProjectError, ServiceError } from '../../directives/errors.ts';

/**
 * The subgraph's `formatError`, its edge: project errors with a client-safe code keep their message and details,
 * deliberate GraphQL errors of graphql-js and Apollo Server keep theirs, and everything else (SQL errors, stack
 * traces, values) becomes a generic message.
 */
export function maskInternalErrors(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { ...(formatted.path ? { path: formatted.path } : {}), ...(formatted.locations ? { locations: formatted.locations } : {}) };
  if (isProjectError(original)) {
    if (CLIENT_SAFE_CODES.has(original.code)) return { message: original.message, ...where, extensions: { code: original.code, ...original.details } };
  } else {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code) && (original instanceof GraphQLError || original === error)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
  }
  return { message: 'Internal server error.', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

export function badInput(message: string, details: Record<string, unknown> = {}): ServiceError {
  return new ServiceError('BAD_USER_INPUT', message, details);
}

export function forbidden(message: string): ServiceError {
  return new ServiceError('FORBIDDEN', message);
}

export function notFound(message: string): ServiceError {
  return new ServiceError('NOT_FOUND', message);
}

/**
 * Runs a write and turns any unexpected failure into a generic INTERNAL_SERVER_ERROR: driver errors
 * quote the statement and its parameters (a cover letter, a name), which must never reach a client.
 * Only the SQLSTATE is kept, for operators.
 */
export async function withoutLeaks<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof GraphQLError || isProjectError(error)) throw error;
    throw new ServiceError('INTERNAL_SERVER_ERROR', `Could not ${what}.`, { sqlState: sqlStateOf(error) });
  }
}

function sqlStateOf(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}
