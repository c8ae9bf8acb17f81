// The canonical form and the hash chain, as pure functions.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';
import fc from 'fast-check';
import { chainRows, entryCanonical, entryForm, GENESIS_HASH, rowHash, type AuditEntry } from './chain.ts';

const entry: AuditEntry = {
  event: 'FIELD_ACCESS',
  occurredAt: new Date('2026-12-03T06:00:00.123Z'),
  requestId: 'r',
  callerSub: 's',
  role: 'compliance',
  org: null,
  purpose: 'LEGAL_OBLIGATION',
  legalBasis: '東京地裁 令和8年(モ)第123号',
  operationName: null,
  operationType: 'query',
  documentHash: null,
  outcome: 'RELEASED',
  released: ['Candidate.email'],
  masked: [],
  withheld: {},
  subjects: ['00000000-0000-4000-8000-000000000001'],
  detail: { epsilon: 0.1 },
};

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys, writes numbers the ECMAScript way and keeps non-ASCII text as it is', () => {
    expect(canonicalJson({ b: [1e21, 0.000001, -0], a: { z: null, y: '令和' } })).toBe('{"a":{"y":"令和","z":null},"b":[1e+21,0.000001,0]}');
  });
  it('refuses what has no JSON form instead of dropping it', () => {
    expect(() => canonicalJson(undefined)).toThrow();
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});

describe('the chain', () => {
  it('hashes the previous hash followed by the canonical row', () => {
    const [row] = chainRows('c', { seq: 0, hash: GENESIS_HASH }, [entry]);
    expect(row!.seq).toBe(1);
    expect(row!.prevHash).toBe(GENESIS_HASH);
    const expected = createHash('sha256')
      .update(GENESIS_HASH)
      .update(canonicalJson({ chainId: 'c', seq: 1, prevHash: GENESIS_HASH, entry: { ...entry, occurredAt: '2026-12-03T06:00:00.123Z' } }))
      .digest('hex');
    expect(row!.hash).toBe(expected);
    // Verification's way (from the columns) gives the same.
    const { hash: _hash, ...unhashed } = row!;
    expect(rowHash(unhashed)).toBe(expected);
  });

  it('links each row to the one before it, and any change to a row changes its hash', () => {
    const rows = chainRows('c', { seq: 41, hash: 'f'.repeat(64) }, [entry, entry, entry]);
    expect(rows.map((r) => r.seq)).toEqual([42, 43, 44]);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
    const { hash: _h, ...first } = rows[0]!;
    for (const change of [{ purpose: 'SUPPORT' }, { subjects: [] }, { seq: 43 }, { detail: { epsilon: 0.2 } }, { occurredAt: new Date(0) }]) {
      expect(rowHash({ ...first, ...change })).not.toBe(rows[0]!.hash);
    }
  });
});

describe('the entry’s written-out canonical form', () => {
  // Any code point, and now and then a surrogate standing alone (which has no RFC 8785 form).
  const text = fc.oneof({ arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 30 }, { arbitrary: fc.constantFrom('\uD800', 'a\uDFFFb', '\uDBFF'), weight: 1 });
  const maybe = fc.option(text, { nil: null });
  const entries = fc.record({
    event: fc.constantFrom('FIELD_ACCESS', 'DATA_SUBJECT_REQUEST', 'CONSENT_CHANGE', 'STATISTICS_RELEASE'),
    occurredAt: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }),
    requestId: maybe,
    callerSub: maybe,
    role: maybe,
    org: maybe,
    purpose: maybe,
    legalBasis: maybe,
    operationName: maybe,
    operationType: maybe,
    documentHash: maybe,
    outcome: fc.constantFrom('RELEASED', 'PARTIAL', 'WITHHELD', 'REJECTED'),
    released: fc.array(text, { maxLength: 4 }),
    masked: fc.array(fc.record({ coordinate: text, strategy: text }), { maxLength: 3 }),
    withheld: fc.dictionary(text, fc.array(text, { maxLength: 3 }), { maxKeys: 4 }),
    subjects: fc.array(text, { maxLength: 4 }),
    detail: fc.dictionary(text, fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer())), { maxKeys: 3 }),
  }) as fc.Arbitrary<AuditEntry>;

  it('is the general RFC 8785 form of the entry, or refused where that is refused (lone surrogates included)', () => {
    fc.assert(
      fc.property(entries, (e) => {
        let general: string | Error;
        try {
          general = canonicalJson(entryForm(e));
        } catch (error) {
          general = error as Error;
        }
        if (general instanceof Error) expect(() => entryCanonical(e)).toThrow();
        else expect(entryCanonical(e)).toBe(general);
      }),
      { numRuns: 3000, seed: 8785 },
    );
  });

  it('refuses a lone surrogate in any text field and keeps a surrogate pair', () => {
    expect(() => entryCanonical({ ...entry, operationName: 'a\uD800' })).toThrow(/surrogate/);
    expect(() => entryCanonical({ ...entry, withheld: { 'x\uDC00': ['r'] } })).toThrow(/surrogate/);
    expect(entryCanonical({ ...entry, operationName: '😀' })).toBe(canonicalJson(entryForm({ ...entry, operationName: '😀' })));
  });
});
