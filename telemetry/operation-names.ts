/** Names a log line or metric label may carry: a plain GraphQL name of bounded length. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Distinct operation names reported before every new one becomes `other` (default). */
export const DEFAULT_OPERATION_NAMES = 200;

/**
 * Bounds the operation names a log or metric reports: a name that is not a plain identifier, or a new name once
 * `limit` distinct ones were seen, is `other`; no name is `anonymous`. Clients choose names, so without a bound they
 * could fill the metrics (or smuggle a value into a log).
 * @example const bounded = createOperationNames(); bounded('SearchCandidates') // → 'SearchCandidates'
 */
export function createOperationNames(limit = DEFAULT_OPERATION_NAMES): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (!PLAIN_NAME.test(name)) return 'other';
    if (seen.has(name)) return name;
    if (seen.size >= limit) return 'other';
    seen.add(name);
    return name;
  };
}
