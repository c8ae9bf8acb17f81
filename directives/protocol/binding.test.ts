import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BINDING_LIFETIME_MS, bindCall, createBindingVerifier } from './binding.ts';

const key = randomBytes(32);
const assertion = 'header.payload.signature';
const body = '{"query":"{ _entities(representations: []) { __typename } }"}';

describe('caller binding', () => {
  it('accepts a call once, with its own body and assertion only', () => {
    const now = 1_800_000_000_000;
    const verify = createBindingVerifier(key, () => now);
    const binding = bindCall(key, assertion, body, now);
    expect(binding).toMatch(/^v1\.\d{13}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(() => verify(assertion, binding, `${body} `)).toThrow(/does not match/);
    expect(() => verify('other.assertion.here', binding, body)).toThrow(/does not match/);
    verify(assertion, binding, body);
    expect(() => verify(assertion, binding, body)).toThrow(/used before/);
    // A different id for the same body and assertion is a different call.
    verify(assertion, bindCall(key, assertion, body, now), body);
  });

  it('while a key is rotated, accepts bindings under the current and the previous key, and under no other', () => {
    const now = 1_800_000_000_000;
    const next = randomBytes(32);
    const verify = createBindingVerifier([next, key], () => now);
    verify(assertion, bindCall(next, assertion, body, now), body);
    verify(assertion, bindCall(key, assertion, body, now), body);
    expect(() => verify(assertion, bindCall(randomBytes(32), assertion, body, now), body)).toThrow(/does not match/);
    // After the rotation, the previous key is gone: its bindings are refused.
    expect(() => createBindingVerifier(next, () => now)(assertion, bindCall(key, assertion, body, now), body)).toThrow(/does not match/);
    expect(() => createBindingVerifier([])).toThrow(/needs a key/);
  });

  it('refuses a binding older than its lifetime or from the future, and malformed ones', () => {
    const now = 1_800_000_000_000;
    const verify = createBindingVerifier(key, () => now);
    verify(assertion, bindCall(key, assertion, body, now - BINDING_LIFETIME_MS), body);
    expect(() => verify(assertion, bindCall(key, assertion, body, now - BINDING_LIFETIME_MS - 1), body)).toThrow(/expired/);
    expect(() => verify(assertion, bindCall(key, assertion, body, now + 5_000), body)).toThrow(/expired/);
    for (const bad of [undefined, '', 'v1', 'v2.1800000000000.AAAAAAAAAAAAAAAA.' + 'A'.repeat(43), `v1.${now}.short.${'A'.repeat(43)}`]) {
      expect(() => verify(assertion, bad, body)).toThrow(/missing|malformed/);
    }
  });

  it('forgets ids only after they can no longer be accepted', () => {
    let now = 1_800_000_000_000;
    const verify = createBindingVerifier(key, () => now);
    const binding = bindCall(key, assertion, body, now);
    verify(assertion, binding, body);
    now += BINDING_LIFETIME_MS;
    expect(() => verify(assertion, binding, body)).toThrow(/used before/);
    now += 1;
    expect(() => verify(assertion, binding, body)).toThrow(/expired/);
  });

  it('refuses short keys', () => {
    expect(() => bindCall(randomBytes(16), assertion, body)).toThrow(/32 bytes/);
    expect(() => createBindingVerifier(randomBytes(16))).toThrow(/32 bytes/);
  });
});
