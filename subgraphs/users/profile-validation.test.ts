import { describe, expect, it } from 'vitest';
import {
  checkEmail,
  checkIndustries,
  checkKana,
  checkMultilineText,
  checkPhone,
  checkPostalCode,
  checkPrefecture,
  checkPrefectures,
  checkSkills,
  checkText,
  validateProfileUpdate,
  type Checked,
} from './profile-validation.ts';

const value = <T>(c: Checked<T>) => (c.ok ? c.value : undefined);

/** A refusal names the field and never quotes the value. */
function refuses<T>(c: Checked<T>, field: string, input: unknown) {
  expect(c.ok, JSON.stringify(c)).toBe(false);
  if (c.ok) return;
  expect(c.problem.field).toBe(field);
  expect(c.problem.message).toContain(`"${field}"`);
  if (typeof input === 'string' && input.trim().length > 2) expect(c.problem.message).not.toContain(input.trim());
}

describe('checkEmail', () => {
  it.each([
    ['hanako@example.jp', 'hanako@example.jp'],
    ['  Hanako.Yamada+jobs@Mail.Example.CO.JP ', 'Hanako.Yamada+jobs@mail.example.co.jp'],
    ["o'brien_1@sub-domain.example.com", "o'brien_1@sub-domain.example.com"],
  ])('accepts %s', (input, stored) => expect(value(checkEmail('input.email', input))).toBe(stored));

  it.each([
    'hanako',
    '@example.jp',
    'hanako@',
    'hanako@localhost',
    'hana..ko@example.jp',
    '.hanako@example.jp',
    'hanako.@example.jp',
    'hanako@example..jp',
    'hanako@-example.jp',
    'hanako@example.j',
    'hanako@example.123',
    '"quoted"@example.jp',
    'han ako@example.jp',
    'hanako@exa_mple.jp',
    'はなこ@example.jp',
    `${'a'.repeat(65)}@example.jp`,
    `a@${'b'.repeat(250)}.jp`,
    'hana\nko@example.jp',
  ])('refuses %j', (input) => refuses(checkEmail('input.email', input), 'input.email', input));
});

describe('checkPhone', () => {
  it.each([
    ['090-1234-5678', '090-1234-5678'],
    ['09012345678', '090-1234-5678'],
    ['090-12345678', '090-1234-5678'],
    ['080 1234 5678', '080-1234-5678'],
    ['０７０－１２３４－５６７８', '070-1234-5678'],
    ['+81 90-1234-5678', '090-1234-5678'],
    ['+819012345678', '090-1234-5678'],
    ['050-1234-5678', '050-1234-5678'],
    ['03-1234-5678', '03-1234-5678'],
    ['0312345678', '03-1234-5678'],
    ['+81-3-1234-5678', '03-1234-5678'],
    ['0422-12-3456', '0422-12-3456'],
    ['0451234567', '045-123-4567'],
    ['0120-123-456', '0120-123-456'],
    ['0120123456', '0120-123-456'],
    ['0800-123-4567', '0800-123-4567'],
  ])('accepts %s as %s', (input, stored) => expect(value(checkPhone('input.phone', input))).toBe(stored));

  it.each([
    '090-1234-567',
    '090123456789',
    '9012345678',
    '1234567890',
    '0012345678',
    '090-1234-5678-9',
    '090--1234-5678',
    '-090-1234-5678',
    '+81 090-1234-5678',
    '+1 415 555 0100',
    '0701234567',
    '03-123456-78',
    'tel:0312345678',
    '090-1234-567a',
  ])('refuses %j', (input) => refuses(checkPhone('input.phone', input), 'input.phone', input));
});

describe('checkPostalCode', () => {
  it.each([
    ['100-0001', '100-0001'],
    ['1000001', '100-0001'],
    ['１００－０００１', '100-0001'],
  ])('accepts %s', (input, stored) => expect(value(checkPostalCode('input.address.postalCode', input))).toBe(stored));
  it.each(['100-001', '10000011', '100 0001', 'ABC-DEFG', ''])('refuses %j', (input) =>
    refuses(checkPostalCode('input.address.postalCode', input), 'input.address.postalCode', input),
  );
});

describe('checkPrefecture and lists', () => {
  it('accepts each of the 47 prefectures in full and nothing else', () => {
    expect(value(checkPrefecture('p', '東京都'))).toBe('東京都');
    expect(value(checkPrefecture('p', '北海道'))).toBe('北海道');
    expect(value(checkPrefecture('p', '沖縄県'))).toBe('沖縄県');
    for (const bad of ['東京', 'Tokyo', '北海道県', '大阪都', '']) refuses(checkPrefecture('p', bad), 'p', bad);
  });
  it('takes industries and prefectures from the known lists, without repeats, naming the bad entry', () => {
    expect(value(checkIndustries('input.desiredIndustries', ['金融', 'IT・通信']))).toEqual(['金融', 'IT・通信']);
    expect(value(checkIndustries('input.desiredIndustries', []))).toEqual([]);
    refuses(checkIndustries('input.desiredIndustries', ['金融', '宇宙開発']), 'input.desiredIndustries[1]', '宇宙開発');
    refuses(checkIndustries('input.desiredIndustries', ['金融', '金融']), 'input.desiredIndustries[1]', '金融');
    expect(value(checkPrefectures('input.desiredPrefectures', ['大阪府']))).toEqual(['大阪府']);
    refuses(checkPrefectures('input.desiredPrefectures', ['Osaka']), 'input.desiredPrefectures[0]', 'Osaka');
  });
});

describe('checkKana', () => {
  it.each([
    ['ヤマダ タロウ', 'ヤマダ タロウ'],
    ['やまだ　はなこ', 'やまだ はなこ'],
    ['ｸﾞｴﾝ ﾃｨ ﾗﾝ', 'グエン ティ ラン'],
    ['スミス・ジョン', 'スミス・ジョン'],
    ['コーヒー  タロウ', 'コーヒー タロウ'],
  ])('accepts %s', (input, stored) => expect(value(checkKana('input.fullNameKana', input))).toBe(stored));
  it.each(['山田 太郎', 'Yamada Taro', 'ヤマダ1', 'ー・', '', 'ヤマダ\u0000', 'ヤマダ😀'])('refuses %j', (input) =>
    refuses(checkKana('input.fullNameKana', input), 'input.fullNameKana', input),
  );
});

describe('checkText, checkMultilineText, checkSkills', () => {
  it('trims, bounds and refuses control characters', () => {
    expect(value(checkText('input.fullName', '  山田 太郎 ', 100))).toBe('山田 太郎');
    refuses(checkText('input.fullName', '   ', 100), 'input.fullName', '');
    refuses(checkText('input.fullName', 'a'.repeat(101), 100), 'input.fullName', 'a'.repeat(101));
    for (const control of ['\u0007', '\n', '\u202E', '\u2028', '\u0085']) refuses(checkText('input.fullName', `山田${control}太郎`, 100), 'input.fullName', `山田${control}太郎`);
    expect([...(value(checkText('n', '𠮷'.repeat(100), 100)) ?? '')].length).toBe(100);
  });
  it('keeps line breaks in the CV summary (CRLF → LF), refusing other controls', () => {
    expect(value(checkMultilineText('input.resume.summary', 'one\r\ntwo\tthree', 4000))).toBe('one\ntwo\tthree');
    refuses(checkMultilineText('input.resume.summary', 'one\u0000two', 4000), 'input.resume.summary', 'one\u0000two');
    refuses(checkMultilineText('input.resume.summary', 'x'.repeat(4001), 4000), 'input.resume.summary', 'x'.repeat(4001));
  });
  it('checks skills one by one', () => {
    expect(value(checkSkills('input.resume.skills', ['Excel', ' TypeScript ']))).toEqual(['Excel', 'TypeScript']);
    refuses(checkSkills('input.resume.skills', ['Excel', 'Excel']), 'input.resume.skills[1]', 'Excel');
    refuses(checkSkills('input.resume.skills', ['ok', 'bad\u0001']), 'input.resume.skills[1]', 'bad\u0001');
    refuses(checkSkills('input.resume.skills', Array.from({ length: 51 }, (_, i) => `s${i}`)), 'input.resume.skills', '');
  });
});

describe('validateProfileUpdate', () => {
  it('returns only what the input names, in stored form, with the coordinates it writes', () => {
    const result = validateProfileUpdate({
      email: 'Hanako@Example.JP',
      phone: '09012345678',
      address: { postalCode: '1000001', prefecture: '東京都', city: '千代田区', street: '千代田1-1' },
      resume: { skills: ['Excel'] },
    });
    expect(result).toEqual({
      ok: true,
      patch: {
        candidate: { email: 'Hanako@example.jp', phone: '090-1234-5678' },
        address: { postalCode: '100-0001', prefecture: '東京都', city: '千代田区', street: '千代田1-1' },
        resume: { skills: ['Excel'] },
        coordinates: ['Candidate.email', 'Candidate.phone', 'Address.postalCode', 'Address.prefecture', 'Address.city', 'Address.street', 'Resume.skills'],
      },
    });
    expect(validateProfileUpdate({ phone: null })).toMatchObject({ ok: true, patch: { candidate: { phone: null }, coordinates: ['Candidate.phone'] } });
  });
  it.each([
    [{}, 'input'],
    [{ fullName: null }, 'input.fullName'],
    [{ email: null }, 'input.email'],
    [{ address: null }, 'input.address'],
    [{ resume: {} }, 'input.resume'],
    [{ resume: { summary: null } }, 'input.resume.summary'],
    [{ fullName: '山田 太郎', address: { postalCode: '100-0001', prefecture: 'Tokyo', city: '千代田区', street: '1-1' } }, 'input.address.prefecture'],
    [{ address: { postalCode: '100-0001', prefecture: '東京都', city: '', street: '1-1' } }, 'input.address.city'],
    [{ desiredIndustries: null }, 'input.desiredIndustries'],
  ])('refuses %j naming %s', (input, field) => {
    const result = validateProfileUpdate(input as never);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.field).toBe(field);
  });
});
