import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isPrivacyError, PRIVACY_ERROR_STATUS, type PrivacyError } from '../directives/errors.ts';

const CLIENT_CODES = new Set<string>([
  ...Object.keys(PRIVACY_ERROR_STATUS),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Turns a privacy-layer error into the GraphQL error the client sees (code, HTTP status, safe details). */
export function toGraphQLError(error: PrivacyError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.details, http: { status: error.httpStatus } },
  });
}

/** The gateway's `formatError`: client errors pass, anything internal becomes a generic message. */
export function createErrorFormatter(options: { hideSuggestions: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isPrivacyError(original)) {
      return { message: original.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: original.code, ...original.details } };
    }
    const code = formatted.extensions?.code;
    // graphql-js words these "Document contains more that N tokens" and "Validation aborted".
    if (
      (code === 'GRAPHQL_PARSE_FAILED' && /more th(?:an|at) \d+ tokens/.test(formatted.message)) ||
      (code === 'GRAPHQL_VALIDATION_FAILED' && /^Validation aborted|Too many validation errors/.test(formatted.message))
    ) {
      return { message: 'The operation is too large.', extensions: { code: 'QUERY_TOO_COMPLEX' } };
    }
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      const message = options.hideSuggestions ? formatted.message.replace(/ ?Did you mean .*\?$/, '') : formatted.message;
      return { ...formatted, message, extensions };
    }
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
