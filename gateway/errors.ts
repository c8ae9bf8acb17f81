import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { CLIENT_SAFE_CODES, isProjectError, toGraphQLError, withoutSubmittedValues } from '../directives/errors.ts';

export { toGraphQLError };

/**
 * The gateway's `formatError`: client errors pass without any value the client sent and without naming the
 * subgraph they came from (`serviceName`); anything internal becomes a generic message.
 */
export function createErrorFormatter(options: { hideSuggestions: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isProjectError(original) && CLIENT_SAFE_CODES.has(original.code)) {
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
    if (typeof code === 'string' && CLIENT_SAFE_CODES.has(code) && !isProjectError(original)) {
      const { stacktrace: _stacktrace, serviceName: _serviceName, ...extensions } = formatted.extensions ?? {};
      const scrubbed = withoutSubmittedValues(formatted.message);
      const message = options.hideSuggestions ? scrubbed.replace(/ ?Did you mean .*\?$/, '') : scrubbed;
      return { ...formatted, message, extensions };
    }
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
