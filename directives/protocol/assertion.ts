import { createLocalJWKSet, jwtVerify, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import type { BoundCaller } from '../caller.ts';
import { PrivacyError } from '../errors.ts';
import { isPurpose, type Purpose } from '../purposes.ts';
import { isRole } from '../roles.ts';
import { createVerifiedTokenCache } from './verified-cache.ts';

/** The header that carries the gateway's signed statement of who calls and why. */
export const CALLER_ASSERTION_HEADER = 'x-caller-assertion';
export const ASSERTION_ISSUER = 'privacy-gateway';
export const ASSERTION_AUDIENCE = 'privacy-gateway-subgraphs';
export const ASSERTION_LIFETIME_SECONDS = 60;

/**
 * Creates the gateway-side signer; signed assertions are reused for half their lifetime per caller.
 * @example const sign = createAssertionSigner(keys.assertion); headers.set(CALLER_ASSERTION_HEADER, await sign(caller));
 */
export function createAssertionSigner(key: { kid: string; privateKey: CryptoKey }, now: () => number = Date.now) {
  const cache = new Map<string, { token: string; renewAt: number }>();
  return async (caller: BoundCaller): Promise<string> => {
    const cacheKey = JSON.stringify([caller.sub, caller.role, caller.org, caller.purposes, caller.purpose, caller.legalBasis]);
    const at = now();
    const hit = cache.get(cacheKey);
    if (hit && hit.renewAt > at) return hit.token;
    const iat = Math.floor(at / 1000);
    const token = await new SignJWT({
      role: caller.role,
      org: caller.org,
      purposes: caller.purposes,
      purpose: caller.purpose,
      legal_basis: caller.legalBasis,
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'caller-assertion+jwt' })
      .setSubject(caller.sub)
      .setIssuer(ASSERTION_ISSUER)
      .setAudience(ASSERTION_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .sign(key.privateKey);
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, { token, renewAt: at + (ASSERTION_LIFETIME_SECONDS * 1000) / 2 });
    return token;
  };
}

/**
 * Creates the subgraph-side verifier of caller assertions. The gateway reuses one assertion per caller for half
 * its lifetime, so a verified assertion is remembered (byte for byte, until it expires) instead of checking its
 * signature on every request.
 */
export function createAssertionVerifier(jwks: JSONWebKeySet, now: () => number = Date.now) {
  const getKey = createLocalJWKSet(jwks);
  const verified = createVerifiedTokenCache<BoundCaller>({ maxTokenAgeSeconds: ASSERTION_LIFETIME_SECONDS, now });
  return async (token: string | undefined): Promise<BoundCaller> => {
    if (!token) throw new PrivacyError('UNAUTHENTICATED', 'This subgraph only answers the gateway: caller assertion missing.');
    const known = verified.get(token);
    if (known) return known;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: ASSERTION_ISSUER,
        audience: ASSERTION_AUDIENCE,
        algorithms: ['ES256'],
        typ: 'caller-assertion+jwt',
        clockTolerance: 5,
        maxTokenAge: `${ASSERTION_LIFETIME_SECONDS + 5}s`,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch {
      throw new PrivacyError('UNAUTHENTICATED', 'The caller assertion is invalid.');
    }
    const { sub, role, org, purposes, purpose, legal_basis: legalBasis } = payload as Record<string, unknown>;
    if (
      typeof sub !== 'string' ||
      !isRole(role) ||
      !isPurpose(purpose) ||
      !Array.isArray(purposes) ||
      !purposes.every(isPurpose) ||
      !(purposes as Purpose[]).includes(purpose) ||
      (org !== null && typeof org !== 'string') ||
      (legalBasis !== null && typeof legalBasis !== 'string')
    ) {
      throw new PrivacyError('UNAUTHENTICATED', 'The caller assertion is invalid.');
    }
    const caller: BoundCaller = Object.freeze({
      sub,
      role,
      org: org as string | null,
      purposes: Object.freeze([...(purposes as Purpose[])]) as Purpose[],
      purpose,
      legalBasis: legalBasis as string | null,
    });
    verified.set(token, caller, payload);
    return caller;
  };
}
