import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Caller } from '../../../directives/caller.ts';
import { PrivacyError, ServiceError } from '../../../directives/errors.ts';
import { isPurpose, type Purpose } from '../../../directives/purposes.ts';
import { isRole, roleMayHold } from '../../../directives/roles.ts';
import { isUuid } from '../../../directives/protocol/ids.ts';
import { createVerifiedTokenCache } from '../../../directives/protocol/verified-cache.ts';

/** How user tokens are verified. */
export interface AuthOptions {
  issuer: string;
  audience: string;
  /** Accepted asymmetric algorithms; pinned, never taken from the token. */
  algorithms: readonly string[];
  /** Where verification keys come from: a JWKS URL, or a JWKS held in memory (development). */
  keys: { kind: 'remote'; url: URL } | { kind: 'local'; jwks: JSONWebKeySet };
  clockToleranceSeconds: number;
  /** Tokens valid for longer than this are refused. */
  maxTokenAgeSeconds: number;
}

const SYMMETRIC = /^HS/;

function unauthenticated(message: string): PrivacyError {
  return new PrivacyError('UNAUTHENTICATED', message);
}

/** A failure to fetch or read the JWKS (timeout, network, not a key set), as opposed to a bad token. */
function keysUnavailable(error: unknown, remote: boolean): boolean {
  if (!remote) return false;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // Not 200, or not JSON: jose's plain JOSEError (every token problem has its own subclass).
  if (error instanceof errors.JOSEError) return error.constructor === errors.JOSEError;
  // createRemoteJWKSet lets fetch's own failures (refused, DNS, TLS) through as they are.
  return true;
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return 'The token was issued for another audience.';
      case 'iss':
        return 'The token was issued by an unknown issuer.';
      case 'nbf':
        return 'The token is not valid yet.';
      case 'iat':
        return 'The token is too old or was issued in the future.';
      default:
        return `The token's "${error.claim}" claim is invalid.`;
    }
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token was signed with an unknown key.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not accepted.';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'The token is malformed.';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'The signing keys could not be loaded.';
  return 'The token could not be verified.';
}

function callerFromClaims(payload: JWTPayload): Caller {
  const { sub, role, org, purposes } = payload as JWTPayload & { role?: unknown; org?: unknown; purposes?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw unauthenticated('The token has no valid "sub" claim.');
  if (!isRole(role)) throw unauthenticated('The token has no valid "role" claim.');
  if (role === 'employer' && !isUuid(org)) {
    throw unauthenticated('An employer token needs an "org" claim with the employer id.');
  }
  if (role !== 'employer' && org !== undefined && org !== null) throw unauthenticated('Only employer tokens carry an "org" claim.');
  if (!Array.isArray(purposes) || purposes.length === 0) throw unauthenticated('The token has no "purposes" claim.');
  const list: Purpose[] = [];
  for (const purpose of purposes) {
    if (!isPurpose(purpose) || !roleMayHold(role, purpose)) {
      throw new PrivacyError('PURPOSE_NOT_PERMITTED', `The token claims a purpose its role "${role}" may not hold.`);
    }
    if (!list.includes(purpose)) list.push(purpose);
  }
  return Object.freeze({ sub, role, org: role === 'employer' ? (org as string) : null, purposes: Object.freeze(list) as Purpose[] });
}

/**
 * Creates the bearer-token verifier: asymmetric algorithm pinned, `kid` required, `iss`, `aud`, `exp` checked.
 * A token that verified is remembered, byte for byte, until it expires, reaches its maximum age, or for at most
 * 60 s (so a key withdrawn from the JWKS stops being honoured within a minute); failures are never remembered.
 * @example const authenticate = createAuthenticator(options); const caller = await authenticate(req.headers.authorization);
 */
export function createAuthenticator(
  options: AuthOptions,
  now: () => number = Date.now,
): ((authorization: string | undefined) => Promise<Caller>) & { keysLoaded(): Promise<boolean> } {
  if (options.algorithms.length === 0 || options.algorithms.some((alg) => SYMMETRIC.test(alg) || alg === 'none')) {
    throw new Error('JWT_ALGORITHMS must list asymmetric algorithms only (for example ES256).');
  }
  const getKey: JWTVerifyGetKey =
    options.keys.kind === 'remote' ? createRemoteJWKSet(options.keys.url) : createLocalJWKSet(options.keys.jwks);
  const verified = createVerifiedTokenCache<Caller>({ maxTokenAgeSeconds: options.maxTokenAgeSeconds, now });
  const authenticate = async (authorization: string | undefined): Promise<Caller> => {
    if (!authorization) throw unauthenticated('Authorization header missing: send "Authorization: Bearer <token>".');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('Authorization header must be "Bearer <token>".');
    const token = match[1]!;
    const known = verified.get(token);
    if (known) return known;
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw unauthenticated('The token is malformed.');
    }
    if (!kid) throw unauthenticated('The token header has no "kid".');
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockToleranceSeconds,
        maxTokenAge: `${options.maxTokenAgeSeconds}s`,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(now()),
      });
      const caller = callerFromClaims(payload);
      verified.set(token, caller, payload);
      return caller;
    } catch (error) {
      if (error instanceof PrivacyError) throw error;
      // The keys could not be fetched: nobody can be verified, which is the gateway's fault, not the token's.
      if (keysUnavailable(error, options.keys.kind === 'remote')) throw new ServiceError('SERVICE_UNAVAILABLE', 'The token signing keys could not be loaded; try again later.', {}, { cause: error });
      throw unauthenticated(describeJoseError(error));
    }
  };
  return Object.assign(authenticate, {
    /** Whether the signing keys are loaded (a remote JWKS is fetched when it is not, yet). */
    keysLoaded: async (): Promise<boolean> => {
      if (!('reload' in getKey)) return true;
      const remote = getKey as ReturnType<typeof createRemoteJWKSet>;
      try {
        if (remote.jwks() === undefined || !remote.fresh) await remote.reload();
      } catch {
        // The issuer did not answer: nobody can be verified until it does.
        return false;
      }
      return remote.jwks() !== undefined && remote.fresh;
    },
  });
}
