import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  AGE_BANDS,
  ageBand,
  applyMask,
  birthYear,
  maskEmail,
  maskLast4,
  maskMember,
  maskNameInitial,
  maskPhone,
  prefectureOnly,
  pseudonym,
  type MaskContext,
} from './masks.ts';
import { MASK_STRATEGY_CODES, type MaskStrategy } from './purposes.ts';

const key = new TextEncoder().encode('test-pseudonym-key-0123456789abcdef');
const context: MaskContext = { pseudonymKey: key, now: new Date('2025-06-15T12:00:00Z') };

const STRING_STRATEGIES = MASK_STRATEGY_CODES.filter((s): s is Exclude<MaskStrategy, 'PREFECTURE_ONLY'> => s !== 'PREFECTURE_ONLY');

const digitCount = (s: string): number => Array.from(s).filter((c) => /\p{Nd}/u.test(c)).length;
const digitsOf = (s: string): string[] => Array.from(s).filter((c) => /\p{Nd}/u.test(c));

const localPartArb = fc.stringMatching(/^[a-z0-9._+-]{2,20}$/);
const domainArb = fc.stringMatching(/^[a-z0-9-]{1,12}\.(com|jp|co\.jp|net)$/);
const phoneArb = fc
  .array(fc.oneof(fc.constantFrom(...'0123456789０１２３４５６７８９'), fc.constantFrom('-', ' ', '(', ')', '+')), { maxLength: 25 })
  .map((cs) => cs.join(''));
const validDateArb = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-06-15T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('EMAIL', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('taro.yamada@example.com')).toBe('t***@example.com');
    expect(applyMask('EMAIL', 'taro.yamada@example.com', context)).toBe('t***@example.com');
  });

  it('returns *** without @ or with an empty local part', () => {
    expect(maskEmail('not-an-email')).toBe('***');
    expect(maskEmail('@example.com')).toBe('***');
    expect(maskEmail('')).toBe('***');
  });

  it('takes the first code point, not the first UTF-16 unit', () => {
    expect(maskEmail('𠮷田@example.jp')).toBe('𠮷***@example.jp');
    expect(maskEmail('😀x@example.jp')).toBe('😀***@example.jp');
  });

  it('splits at the last @ so nothing of the local part leaks into the domain', () => {
    expect(maskEmail('"a@secret"@example.com')).toBe('"***@example.com');
  });

  it('reveals at most the first character of the local part and keeps the domain', () => {
    fc.assert(
      fc.property(localPartArb, domainArb, (local, domain) => {
        const out = maskEmail(`${local}@${domain}`);
        expect(out).toBe(`${local[0]}***@${domain}`);
        expect(out.slice(0, out.lastIndexOf('@'))).not.toContain(local);
      }),
    );
  });

  it('masking twice leaks nothing more', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const once = maskEmail(s);
        expect(maskEmail(once)).toBe(once);
      }),
    );
  });
});

describe('PHONE_LAST4', () => {
  it('stars all digits but the last four and keeps separators', () => {
    expect(maskPhone('090-1234-5678')).toBe('***-****-5678');
    expect(maskPhone('+81 90 1234 5678')).toBe('+** ** **** 5678');
    expect(maskPhone('０９０-１２３４-５６７８')).toBe('***-****-５６７８');
  });

  it('stars every digit when there are fewer than four', () => {
    expect(maskPhone('12-3')).toBe('**-*');
    expect(maskPhone('1234')).toBe('1234');
  });

  it('stars characters that are neither digits nor separators', () => {
    expect(maskPhone('call 090-1234-5678')).toBe('**** ***-****-5678');
    expect(maskPhone('(03) 1234.5678 / 内線12')).toBe('(**) ****.**78 / **12');
    expect(maskPhone('090ー1234ー5678')).toBe('***ー****ー5678');
  });

  it('reveals at most the last four digits and preserves length', () => {
    fc.assert(
      fc.property(phoneArb, (phone) => {
        const out = maskPhone(phone);
        expect(Array.from(out).length).toBe(Array.from(phone).length);
        expect(digitCount(out)).toBeLessThanOrEqual(4);
        const inputDigits = digitsOf(phone);
        expect(digitsOf(out)).toEqual(inputDigits.length >= 4 ? inputDigits.slice(-4) : []);
      }),
    );
  });

  it('never reveals more than four digits of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(digitCount(maskPhone(s))).toBeLessThanOrEqual(4);
      }),
    );
  });
});

describe('NAME_INITIAL', () => {
  it('keeps the first code point followed by a dot', () => {
    expect(maskNameInitial('山田 太郎')).toBe('山.');
    expect(maskNameInitial('Taro Yamada')).toBe('T.');
    expect(maskNameInitial('𠮷田 花子')).toBe('𠮷.');
    expect(maskNameInitial('  Hanako')).toBe('H.');
  });

  it('returns null for a blank name', () => {
    expect(maskNameInitial('')).toBeNull();
    expect(maskNameInitial('  \u3000 ')).toBeNull();
    expect(applyMask('NAME_INITIAL', '', context)).toBeNull();
  });

  it('outputs exactly one code point and a dot', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom(' ', '\t', '\n', '\u3000'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1 }), (s) => {
        const out = maskNameInitial(s);
        if (s.trim() === '') {
          expect(out).toBeNull();
        } else {
          expect(Array.from(out ?? '')).toHaveLength(2);
          expect(out?.endsWith('.')).toBe(true);
        }
      }),
    );
  });
});

describe('BIRTH_YEAR', () => {
  it('returns the year of an ISO date', () => {
    expect(birthYear('1990-05-12')).toBe('1990');
    expect(birthYear('2000-02-29')).toBe('2000');
    expect(applyMask('BIRTH_YEAR', '1990-05-12', context)).toBe('1990');
  });

  it('returns null for invalid dates', () => {
    for (const bad of ['', '1990', '1990-13-01', '1990-02-30', '1900-02-29', 'yesterday', '1990-5-12', '1990-05-12T99:00']) {
      expect(birthYear(bad)).toBeNull();
    }
  });

  it('reads a ten-character date as the ISO pattern does, digit by digit', () => {
    // The reference: the pattern every date was parsed with before ten-character dates got their own path.
    const reference = (s: string): string | null => {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      if (!match) return null;
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const days = month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
      return month >= 1 && month <= 12 && day >= 1 && day <= days ? match[1]! : null;
    };
    for (const bad of ['1990-00-10', '1990-01-00', '19a0-01-01', '1990/01/01', '１９９０-01-01', ' 990-01-01', '+990-01-01', '1990-1-012', '1990-04-31']) {
      expect(birthYear(bad)).toBeNull();
    }
    expect(birthYear('0000-01-01')).toBe(reference('0000-01-01'));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'0123456789-/a１ :T'), { minLength: 10, maxLength: 10 }), (chars) => {
        const s = chars.join('');
        expect(birthYear(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(birthYear(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the date for every valid date', () => {
    fc.assert(
      fc.property(validDateArb, (d) => {
        expect(birthYear(d)).toBe(d.slice(0, 4));
      }),
    );
  });
});

describe('AGE_BAND', () => {
  const now = new Date('2025-06-15T12:00:00Z');

  it('returns the ten-year band', () => {
    expect(ageBand('1990-05-12', now)).toBe('30-39');
    expect(ageBand('2010-01-01', now)).toBe('10-19');
    expect(ageBand('1965-06-15', now)).toBe('60+');
    expect(ageBand('1920-01-01', now)).toBe('60+');
    expect(ageBand('2020-01-01', now)).toBe('0-9');
  });

  it('computes the age around the birthday', () => {
    expect(ageBand('1995-06-15', now)).toBe('30-39');
    expect(ageBand('1995-06-16', now)).toBe('20-29');
    expect(ageBand('1995-07-01', now)).toBe('20-29');
    expect(ageBand('1985-06-16', now)).toBe('30-39');
    expect(ageBand('1985-06-15', now)).toBe('40-49');
  });

  it('uses UTC for now', () => {
    expect(ageBand('1995-06-15', new Date('2025-06-14T23:59:59Z'))).toBe('20-29');
    expect(ageBand('1995-06-15', new Date('2025-06-15T00:00:00Z'))).toBe('30-39');
  });

  it('returns null for invalid or future dates', () => {
    expect(ageBand('1990-02-30', now)).toBeNull();
    expect(ageBand('not a date', now)).toBeNull();
    expect(ageBand('2030-01-01', now)).toBeNull();
    expect(ageBand('1990-05-12', new Date(Number.NaN))).toBeNull();
  });

  it('is always a known band for valid past dates', () => {
    fc.assert(
      fc.property(validDateArb, (d) => {
        expect(AGE_BANDS).toContain(ageBand(d, now));
      }),
    );
  });

  it('matches a reference age computation', () => {
    fc.assert(
      fc.property(validDateArb, fc.date({ min: new Date('2025-06-15T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d, at) => {
        const [y, m, day] = d.split('-').map(Number) as [number, number, number];
        let age = at.getUTCFullYear() - y;
        if (at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < day)) age -= 1;
        const expected = age >= 60 ? '60+' : `${Math.floor(age / 10) * 10}-${Math.floor(age / 10) * 10 + 9}`;
        expect(ageBand(d, at)).toBe(expected);
      }),
    );
  });
});

describe('PREFECTURE_ONLY', () => {
  it('keeps prefecture and __typename and nulls the rest', () => {
    const address = { __typename: 'Address', prefecture: '東京都', city: '千代田区', street: '丸の内1-1-1', postalCode: '100-0005' };
    expect(prefectureOnly(address)).toEqual({ __typename: 'Address', prefecture: '東京都', city: null, street: null, postalCode: null });
    expect(applyMask('PREFECTURE_ONLY', address, context)).toEqual({ __typename: 'Address', prefecture: '東京都', city: null, street: null, postalCode: null });
  });

  it('keeps only the keys present', () => {
    expect(prefectureOnly({ city: '大阪市' })).toEqual({ city: null });
    expect(prefectureOnly({})).toEqual({});
  });

  it('returns null for non-objects', () => {
    for (const bad of ['東京都', 42, true, null, undefined]) expect(prefectureOnly(bad)).toBeNull();
    expect(applyMask('PREFECTURE_ONLY', '東京都千代田区', context)).toBeNull();
  });

  it('does not let an own __proto__ key change the prototype', () => {
    const out = prefectureOnly(JSON.parse('{"__proto__": {"city": "x"}, "prefecture": "北海道"}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out ?? {}, '__proto__')).toBe(true);
    expect(out).toMatchObject({ prefecture: '北海道' });
  });

  it('masks one member of an object as it would be masked inside the object', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MASK_STRATEGY_CODES),
        fc.constantFrom('prefecture', '__typename', 'city', 'street', 'postalCode', 'email'),
        fc.oneof(fc.string(), fc.anything()),
        (strategy, field, value) => {
          const whole = applyMask(strategy, { [field]: value }, context) as Record<string, unknown> | null;
          expect(maskMember(strategy, field, value, context)).toBe(whole === null ? null : (whole[field] ?? null));
        },
      ),
    );
    expect(maskMember('PREFECTURE_ONLY', 'prefecture', '東京都', context)).toBe('東京都');
    expect(maskMember('PREFECTURE_ONLY', 'city', '千代田区', context)).toBeNull();
    expect(() => maskMember('PSEUDONYM', 'city', 'x', { ...context, pseudonymKey: new Uint8Array(0) })).toThrow();
  });

  it('never returns a non-null city, street or postalCode, and keeps the keys', () => {
    fc.assert(
      fc.property(
        fc.record(
          { __typename: fc.constant('Address'), prefecture: fc.option(fc.string()), city: fc.anything(), street: fc.anything(), postalCode: fc.anything(), extra: fc.anything() },
          { requiredKeys: [] },
        ),
        (address) => {
          const out = prefectureOnly(address);
          expect(out).not.toBeNull();
          expect(Object.keys(out ?? {}).sort()).toEqual(Object.keys(address).sort());
          for (const [k, v] of Object.entries(out ?? {})) {
            if (k === 'prefecture' || k === '__typename') expect(v).toBe((address as Record<string, unknown>)[k]);
            else expect(v).toBeNull();
          }
        },
      ),
    );
  });
});

describe('LAST4', () => {
  it('stars all but the last four characters', () => {
    expect(maskLast4('AB12345678CD')).toBe('********78CD');
    expect(maskLast4('ABCDE')).toBe('*BCDE');
    expect(maskLast4('ABCD')).toBe('****');
    expect(maskLast4('AB')).toBe('**');
    expect(maskLast4('')).toBe('');
  });

  it('preserves length and reveals at most the last four characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const chars = Array.from(s);
        const out = Array.from(maskLast4(s));
        expect(out).toHaveLength(chars.length);
        const revealed = chars.length > 4 ? 4 : 0;
        expect(out.slice(0, chars.length - revealed).every((c) => c === '*')).toBe(true);
        expect(out.slice(chars.length - revealed)).toEqual(chars.slice(chars.length - revealed));
      }),
    );
  });
});

describe('PSEUDONYM', () => {
  it('is a psn_-prefixed 22-character base64url HMAC', () => {
    const out = pseudonym('taro.yamada@example.com', key);
    expect(out).toMatch(/^psn_[A-Za-z0-9_-]{22}$/);
    expect(applyMask('PSEUDONYM', 'taro.yamada@example.com', context)).toBe(out);
  });

  it('matches a known HMAC-SHA-256 vector', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    const digest = Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex').toString('base64url');
    expect(pseudonym('what do ya want for nothing?', new TextEncoder().encode('Jefe'))).toBe(`psn_${digest.slice(0, 22)}`);
  });

  it('throws on an empty key, even for null values', () => {
    const empty = new Uint8Array(0);
    expect(() => pseudonym('x', empty)).toThrow(Error);
    expect(() => applyMask('PSEUDONYM', 'x', { ...context, pseudonymKey: empty })).toThrow(Error);
    expect(() => applyMask('PSEUDONYM', null, { ...context, pseudonymKey: empty })).toThrow(Error);
  });

  it('is deterministic, key-dependent and never contains the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 8 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (value, k1, k2) => {
          fc.pre(Buffer.compare(Buffer.from(k1), Buffer.from(k2)) !== 0);
          const a = pseudonym(value, k1);
          expect(pseudonym(value, k1)).toBe(a);
          expect(pseudonym(value, k2)).not.toBe(a);
          expect(a).not.toContain(value);
        },
      ),
    );
  });

  it('maps distinct values to distinct pseudonyms', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(pseudonym(a, key)).not.toBe(pseudonym(b, key));
      }),
    );
  });
});

describe('applyMask', () => {
  it('keeps missing values missing', () => {
    for (const strategy of MASK_STRATEGY_CODES) {
      expect(applyMask(strategy, null, context)).toBeNull();
      expect(applyMask(strategy, undefined, context)).toBeNull();
    }
  });

  it('fails closed on non-string input for string strategies', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRING_STRATEGIES),
        fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.bigInt(), fc.object(), fc.date()),
        (strategy, value) => {
          expect(applyMask(strategy, value, context)).toBeNull();
        },
      ),
    );
  });

  it('maps lists element-wise', () => {
    expect(applyMask('EMAIL', ['a1@x.jp', 'b2@y.jp', null], context)).toEqual(['a***@x.jp', 'b***@y.jp', null]);
    expect(applyMask('PREFECTURE_ONLY', [{ prefecture: '京都府', city: '京都市' }], context)).toEqual([{ prefecture: '京都府', city: null }]);
    fc.assert(
      fc.property(fc.constantFrom(...MASK_STRATEGY_CODES), fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer())), (strategy, values) => {
        expect(applyMask(strategy, values, context)).toEqual(values.map((v) => applyMask(strategy, v, context)));
      }),
    );
  });

  it('never returns the raw string for a string strategy other than EMAIL', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRING_STRATEGIES.filter((s) => s !== 'EMAIL')), fc.string({ minLength: 5 }), (strategy, value) => {
        fc.pre(/[A-Za-z0-9]/.test(value.slice(0, -4)));
        expect(applyMask(strategy, value, context)).not.toBe(value);
      }),
    );
  });
});
