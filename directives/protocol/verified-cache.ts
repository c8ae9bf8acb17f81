/**
 * Remembers what a signed token was verified to say, so the same token is not verified again on every request.
 *
 * Only successful verifications are kept, and each only until the earliest of: the token's `exp`, the end of
 * its accepted age (`iat` + max age), and `maxHoldMs` after it was verified (so a key removed from a JWKS stops
 * being honoured within that time). The key is the whole compact token: a token differing in any byte, its
 * signature included, is verified afresh. The cache is bounded; the oldest entry goes first.
 */
export interface VerifiedTokenCache<T> {
  get(token: string): T | undefined;
  set(token: string, value: T, claims: { exp?: number; iat?: number }): void;
  readonly size: number;
}

export interface VerifiedTokenCacheOptions {
  /** Entries kept at most (default 10,000). */
  maxEntries?: number;
  /** How long one verification is honoured at most (default 60 s). */
  maxHoldMs?: number;
  /** The token's maximum accepted age in seconds, counted from `iat` (none: only `exp` bounds it). */
  maxTokenAgeSeconds?: number;
  now?: () => number;
}

export function createVerifiedTokenCache<T>(options: VerifiedTokenCacheOptions = {}): VerifiedTokenCache<T> {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxHoldMs = options.maxHoldMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: T; until: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (now() >= entry.until) {
        entries.delete(token);
        return undefined;
      }
      return entry.value;
    },
    set(token, value, claims) {
      // Without an expiry there is nothing safe to remember.
      if (typeof claims.exp !== 'number') return;
      const at = now();
      let until = Math.min(at + maxHoldMs, claims.exp * 1000);
      if (options.maxTokenAgeSeconds !== undefined) {
        if (typeof claims.iat !== 'number') return;
        until = Math.min(until, (claims.iat + options.maxTokenAgeSeconds) * 1000);
      }
      if (until <= at) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, { value, until });
    },
    get size() {
      return entries.size;
    },
  };
}
