import { beforeAll, describe, expect, it } from 'vitest';
import { createAssertionSigner, createAssertionVerifier } from '../../../directives/protocol/assertion.ts';
import { createVerifiedTokenCache } from '../../../directives/protocol/verified-cache.ts';
import { createAuthenticator, type AuthOptions } from './auth.ts';
import { createEphemeralKeys, type DevKeys } from '../../keys.ts';
import { signToken } from '../../token.ts';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'graph.test';
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

let keys: DevKeys;
let otherKeys: DevKeys;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([createEphemeralKeys(), createEphemeralKeys()]);
});

function authOptions(jwks = keys.issuer.jwks): AuthOptions {
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    keys: { kind: 'local', jwks },
    clockToleranceSeconds: 5,
    maxTokenAgeSeconds: 3600,
  };
}

function token(expiresIn = 600, key = keys.issuer) {
  return signToken(key, { sub: 'staff-1', role: 'support', purposes: ['SUPPORT'], issuer: ISSUER, audience: AUDIENCE, expiresIn, now: new Date(T0) });
}

describe('verified-token cache', () => {
  it('keeps an entry until the earliest of exp, iat + max age and the hold time', () => {
    let now = T0;
    const cache = createVerifiedTokenCache<string>({ maxHoldMs: 60_000, maxTokenAgeSeconds: 30, now: () => now });
    const iat = T0 / 1000;
    cache.set('a', 'A', { exp: iat + 600, iat }); // bounded by iat + 30 s
    cache.set('b', 'B', { exp: iat + 10, iat }); // bounded by exp
    cache.set('c', 'C', { iat }); // no exp: not kept
    cache.set('d', 'D', { exp: iat + 600 }); // max age set but no iat: not kept
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual(['A', 'B', undefined, undefined]);
    now = T0 + 10_000;
    expect([cache.get('a'), cache.get('b')]).toEqual(['A', undefined]);
    now = T0 + 30_000;
    expect(cache.get('a')).toBeUndefined();

    const hold = createVerifiedTokenCache<string>({ maxHoldMs: 1_000, now: () => now });
    hold.set('x', 'X', { exp: now / 1000 + 600 });
    now += 999;
    expect(hold.get('x')).toBe('X');
    now += 1;
    expect(hold.get('x')).toBeUndefined();
  });

  it('is bounded: the oldest entry is dropped first', () => {
    const cache = createVerifiedTokenCache<number>({ maxEntries: 3, now: () => T0 });
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, i, { exp: T0 / 1000 + 60 });
    expect(cache.size).toBe(3);
    expect([cache.get('t0'), cache.get('t1'), cache.get('t2'), cache.get('t4')]).toEqual([undefined, undefined, 2, 4]);
  });
});

describe('createAuthenticator with its cache', () => {
  it('stops accepting a remembered token once it expires', async () => {
    let now = T0 + 1_000;
    const authenticate = createAuthenticator(authOptions(), () => now);
    const bearer = `Bearer ${await token(20)}`;
    expect((await authenticate(bearer)).sub).toBe('staff-1');
    now = T0 + 19_000;
    expect((await authenticate(bearer)).sub).toBe('staff-1');
    // The cache holds it only until exp; past exp + the 5 s clock tolerance, verification refuses it.
    now = T0 + 26_000;
    await expect(authenticate(bearer)).rejects.toThrow('The token has expired.');
  });

  it('verifies a token that differs from a remembered one in any byte', async () => {
    const authenticate = createAuthenticator(authOptions(), () => T0 + 1_000);
    const good = await token();
    await authenticate(`Bearer ${good}`);
    const [header, payload, signature] = good.split('.');
    const flipped = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'AB' : 'AA'}`;
    await expect(authenticate(`Bearer ${flipped}`)).rejects.toThrow(/signature|malformed/);
    const foreign = await token(600, otherKeys.issuer);
    await expect(authenticate(`Bearer ${foreign}`)).rejects.toThrow();
  });

  it('hands out a frozen caller, so one request cannot change what the next one sees', async () => {
    const authenticate = createAuthenticator(authOptions(), () => T0 + 1_000);
    const bearer = `Bearer ${await token()}`;
    const caller = await authenticate(bearer);
    expect(Object.isFrozen(caller) && Object.isFrozen(caller.purposes)).toBe(true);
    expect(() => (caller.purposes as string[]).push('MARKETING')).toThrow();
    expect((await authenticate(bearer)).purposes).toEqual(['SUPPORT']);
  });
});

describe('caller assertions with the verifier cache', () => {
  it('accepts a reused assertion until it expires, then refuses it', async () => {
    let now = T0;
    const sign = createAssertionSigner(keys.assertion, () => now);
    const verify = createAssertionVerifier(keys.assertion.jwks, () => now);
    const caller = { sub: 's', role: 'support' as const, org: null, purposes: ['SUPPORT' as const], purpose: 'SUPPORT' as const, legalBasis: null };
    const assertion = await sign(caller);
    expect(await verify(assertion)).toEqual(caller);
    now = T0 + 59_000;
    expect((await verify(assertion)).purpose).toBe('SUPPORT');
    now = T0 + 66_000;
    await expect(verify(assertion)).rejects.toThrow('The caller assertion is invalid.');
    const forged = createAssertionVerifier(otherKeys.assertion.jwks, () => T0);
    await expect(forged(assertion)).rejects.toThrow('The caller assertion is invalid.');
  });
});
