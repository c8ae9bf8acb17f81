import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PrivacyError } from '../errors.ts';

/**
 * Binds a caller assertion to the one subgraph call it accompanies. The signed assertion (who asks and why) is
 * reused per caller for a while; alone it would be a bearer token. Each call therefore also carries
 * `v1.<time ms>.<id>.<mac>`: an HMAC-SHA-256, under a key the gateway and the subgraphs share, over the time, a
 * unique id, the SHA-256 of the exact body and the assertion. A subgraph accepts a call only if the MAC matches
 * that body and assertion, the time is within the last few seconds, and it has not seen the id before.
 */
export const CALLER_BINDING_HEADER = 'x-caller-binding';

/** How long a binding is accepted after it was made (also bounds a replay to another replica of a subgraph). */
export const BINDING_LIFETIME_MS = 5_000;
/** Tolerated clock lead of the gateway over a subgraph. */
const FUTURE_TOLERANCE_MS = 1_000;
/** Ids remembered at most; beyond that a subgraph refuses calls until old ones expire (fail closed). */
const MAX_REMEMBERED = 1_000_000;
export const MIN_MAC_KEY_BYTES = 32;

function assertKey(key: Uint8Array): void {
  if (key.byteLength < MIN_MAC_KEY_BYTES) throw new Error(`The caller-binding key must have at least ${MIN_MAC_KEY_BYTES} bytes.`);
}

function mac(key: Uint8Array, time: string, id: string, body: string, assertion: string): Buffer {
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('base64url');
  return createHmac('sha256', key).update(`v1\n${time}\n${id}\n${bodyHash}\n${assertion}`, 'utf8').digest();
}

/**
 * Gateway side: the binding header for one call.
 * @example headers[CALLER_BINDING_HEADER] = bindCall(keys.bindingKey, headers[CALLER_ASSERTION_HEADER], body);
 */
export function bindCall(key: Uint8Array, assertion: string, body: string, now: number = Date.now()): string {
  assertKey(key);
  const time = String(now);
  const id = randomBytes(12).toString('base64url');
  return `v1.${time}.${id}.${mac(key, time, id, body, assertion).toString('base64url')}`;
}

const BINDING = /^v1\.(\d{13})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

/**
 * Subgraph side: checks a call's binding against its assertion and exact body; throws UNAUTHENTICATED otherwise.
 * One verifier per subgraph process: it remembers the ids it has accepted for their lifetime.
 */
export function createBindingVerifier(key: Uint8Array | readonly Uint8Array[], now: () => number = Date.now) {
  // Several keys only while one is rotated (the current one first, then the previous one): a binding made under
  // any of them is accepted.
  const keys = Array.isArray(key) ? (key as readonly Uint8Array[]) : [key as Uint8Array];
  if (keys.length === 0) throw new Error('The caller binding needs a key.');
  keys.forEach(assertKey);
  /** id → time it stops being accepted anyway; insertion order is (nearly) expiry order. */
  const seen = new Map<string, number>();
  const refuse = (message: string): never => {
    throw new PrivacyError('UNAUTHENTICATED', message);
  };
  return (assertion: string, binding: string | undefined, body: string): void => {
    if (!binding) refuse('This subgraph only answers the gateway: caller binding missing.');
    const match = BINDING.exec(binding!);
    if (!match) refuse('The caller binding is malformed.');
    const [, time, id, sent] = match!;
    const at = now();
    const madeAt = Number(time);
    if (madeAt > at + FUTURE_TOLERANCE_MS || at - madeAt > BINDING_LIFETIME_MS) refuse('The caller binding has expired.');
    const given = Buffer.from(sent!, 'base64url');
    const matches = keys.some((k) => {
      const expected = mac(k, time!, id!, body, assertion);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) refuse('The caller binding does not match this request.');
    for (const [old, expiresAt] of seen) {
      if (expiresAt > at) break;
      seen.delete(old);
    }
    if (seen.has(id!)) refuse('The caller binding was used before.');
    if (seen.size >= MAX_REMEMBERED) refuse('Too many calls in flight to check for replays.');
    seen.set(id!, madeAt + BINDING_LIFETIME_MS + FUTURE_TOLERANCE_MS);
  };
}
