/**
 * Validation of a candidate's correction of their profile (APPI Art. 34, `updateMyProfile`): pure functions that
 * either normalise a value into the one form the portal stores or say which rule it breaks. A problem names the field
 * (`input.address.postalCode`), never the value.
 *
 * The rules:
 * - text: NFC (kana and digits NFKC, so half-width kana and full-width digits are accepted), trimmed, bounded in
 *   length, no control, bidirectional-override or separator characters (a line break only in the CV summary);
 * - e-mail: a dot-atom local part (RFC 5322 without quoted strings or comments) of at most 64 characters, `@`, a domain
 *   of LDH labels of at most 63 characters with an alphabetic top-level label; at most 254 characters; the domain is
 *   stored in lower case;
 * - phone: a Japanese number, with or without hyphens (or spaces), domestic (`0…`) or `+81`: mobile and IP phones
 *   (070/080/090/050, and 0800) have 11 digits, landlines 10 digits starting `0[1-9]`; stored in the domestic form
 *   with hyphens: 11 digits as 3-4-4 (`090-1234-5678`); a landline as the caller grouped it (area code, exchange, a
 *   four-digit subscriber number) or, given without hyphens, 03/06 as 2-4-4, 0120/0570 as 4-3-3, others 3-3-4;
 * - postal code: seven digits, `NNN-NNNN` or `NNNNNNN`, stored as `NNN-NNNN`;
 * - prefecture: one of the 47 (`東京都`, `北海道`, …), written in full;
 * - kana: katakana or hiragana with spaces, the prolonged sound mark `ー` and the middle dot `・`; spaces are stored
 *   as one ASCII space;
 * - desired industries and prefectures: each from the known lists (directives/statistics/domains.ts), no repeats.
 */
import { INDUSTRY_DOMAIN, PREFECTURE_DOMAIN } from '../../directives/statistics/domains.ts';

/** Why a value was refused: the field's path in the input and a message that names the rule, never the value. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (field: string, message: string): Checked<never> => ({ ok: false, problem: { field, message: `"${field}" ${message}` } });

/** Lengths the portal stores, in characters (code points). */
export const LIMITS = {
  name: 100,
  kana: 100,
  email: 254,
  emailLocal: 64,
  city: 100,
  street: 200,
  summary: 4000,
  skill: 100,
  skills: 50,
} as const;

/** Control characters, surrogates, bidirectional overrides and isolates, line and paragraph separators, BOM. */
const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;
/** The same, but a line break (LF) and a tab are allowed (the CV summary). */
const FORBIDDEN_MULTILINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;

const length = (text: string) => [...text].length;

/** Free text of one line: NFC, trimmed, 1..max characters, nothing invisible or controlling. */
export function checkText(field: string, value: unknown, max: number): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.normalize('NFC').trim();
  if (text === '') return bad(field, 'must not be empty.');
  if (FORBIDDEN.test(text)) return bad(field, 'must not contain control characters.');
  if (length(text) > max) return bad(field, `must be at most ${max} characters.`);
  return ok(text);
}

/** Free text of several lines (CRLF and CR become LF): otherwise as checkText. */
export function checkMultilineText(field: string, value: unknown, max: number): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (text === '') return bad(field, 'must not be empty.');
  if (FORBIDDEN_MULTILINE.test(text)) return bad(field, 'must not contain control characters.');
  if (length(text) > max) return bad(field, `must be at most ${max} characters.`);
  return ok(text);
}

const KANA = /^[\p{Script=Katakana}\p{Script=Hiragana}ー・ ]+$/u;
const HAS_KANA = /[\p{Script=Katakana}\p{Script=Hiragana}]/u;

/** A name in kana: NFKC (half-width katakana become full-width), spaces (also U+3000) collapsed to one ASCII space. */
export function checkKana(field: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.normalize('NFKC').replace(/[\s\u3000]+/gu, ' ').trim();
  if (text === '') return bad(field, 'must not be empty.');
  if (length(text) > LIMITS.kana) return bad(field, `must be at most ${LIMITS.kana} characters.`);
  if (!KANA.test(text) || !HAS_KANA.test(text)) {
    return bad(field, 'must be written in katakana or hiragana (spaces, ー and ・ allowed).');
  }
  return ok(text);
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^[A-Za-z]{2,63}$/;

/** An e-mail address (see the rules above); the domain is stored in lower case. */
export function checkEmail(field: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.trim();
  const message = 'must be an e-mail address (local part, @, domain).';
  if (text.length > LIMITS.email) return bad(field, `must be at most ${LIMITS.email} characters.`);
  const at = text.lastIndexOf('@');
  if (at <= 0) return bad(field, message);
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > LIMITS.emailLocal || !LOCAL.test(local)) return bad(field, message);
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TOP_LABEL.test(labels[labels.length - 1]!)) return bad(field, message);
  return ok(`${local}@${domain.toLowerCase()}`);
}

/** Eleven-digit numbers: mobile (070/080/090), IP phone (050) and 0800 free dial. */
const ELEVEN = /^0(?:[5789]0|800)\d+$/;
const TEN = /^0[1-9]\d{8}$/;

/** A Japanese telephone number (see the rules above), stored in its domestic form with hyphens. */
export function checkPhone(field: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const message = 'must be a Japanese telephone number: mobile 0X0-XXXX-XXXX or a landline of 10 digits starting with 0 (hyphens optional, +81 accepted).';
  let text = value.normalize('NFKC').trim().replace(/[‐‑–—−]/g, '-').replace(/ +/g, '-');
  if (text.length > 20) return bad(field, message);
  if (text.startsWith('+81')) {
    // +81 90-1234-5678, +81-3-1234-5678: the country code replaces the domestic leading 0.
    text = text.slice(3).replace(/^-/, '');
    if (text.startsWith('0')) return bad(field, message);
    text = `0${text}`;
  }
  if (!/^\d+(?:-\d+){0,2}$/.test(text)) return bad(field, message);
  const groups = text.split('-');
  const digits = groups.join('');
  if (digits.length === 11 && ELEVEN.test(digits) && !digits.startsWith('0800')) {
    return ok(`${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`);
  }
  if (digits.length === 11 && digits.startsWith('0800')) return ok(`${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`);
  if (digits.length !== 10 || !TEN.test(digits) || /^0[5789]0/.test(digits)) return bad(field, message);
  if (groups.length === 3) {
    const [area, exchange, subscriber] = groups as [string, string, string];
    // Area code (with its 0) 2–5 digits, exchange 1–4, subscriber 4 (0120 and 0570 numbers are 4-3-3).
    const special = /^0(?:120|570)$/.test(area) && exchange.length === 3 && subscriber.length === 3;
    if (!special && (area.length < 2 || area.length > 5 || exchange.length < 1 || exchange.length > 4 || subscriber.length !== 4)) return bad(field, message);
    return ok(text);
  }
  if (groups.length === 2) return bad(field, message);
  if (/^0(?:120|570)/.test(digits)) return ok(`${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`);
  if (/^0[36]/.test(digits)) return ok(`${digits.slice(0, 2)}-${digits.slice(2, 6)}-${digits.slice(6)}`);
  return ok(`${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`);
}

/** A postal code `NNN-NNNN` (or seven digits), stored as `NNN-NNNN`. */
export function checkPostalCode(field: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.normalize('NFKC').trim().replace(/[‐‑–—−]/g, '-');
  const m = /^(\d{3})-?(\d{4})$/.exec(text);
  if (!m) return bad(field, 'must be a postal code NNN-NNNN.');
  return ok(`${m[1]}-${m[2]}`);
}

const PREFECTURES: ReadonlySet<string> = new Set(PREFECTURE_DOMAIN);
const INDUSTRIES: ReadonlySet<string> = new Set(INDUSTRY_DOMAIN);

/** One of the 47 prefectures, written in full. */
export function checkPrefecture(field: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(field, 'must be a string.');
  const text = value.normalize('NFC').trim();
  if (!PREFECTURES.has(text)) return bad(field, 'must be one of the 47 prefectures written in full, e.g. 東京都 or 北海道.');
  return ok(text);
}

/** A list drawn from a known domain, without repeats, in the caller's order. */
function checkFromDomain(field: string, value: unknown, domain: ReadonlySet<string>, what: string): Checked<string[]> {
  if (!Array.isArray(value)) return bad(field, 'must be a list.');
  if (value.length > domain.size) return bad(field, `must list at most ${domain.size} values.`);
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const text = typeof item === 'string' ? item.normalize('NFC').trim() : null;
    if (text === null || !domain.has(text)) return bad(`${field}[${i}]`, `must be one of the ${what} (see the README).`);
    if (out.includes(text)) return bad(`${field}[${i}]`, 'repeats an earlier value.');
    out.push(text);
  }
  return ok(out);
}

export function checkIndustries(field: string, value: unknown): Checked<string[]> {
  return checkFromDomain(field, value, INDUSTRIES, 'known industries');
}

export function checkPrefectures(field: string, value: unknown): Checked<string[]> {
  return checkFromDomain(field, value, PREFECTURES, '47 prefectures');
}

/** CV skills: free text, one line each, bounded, no repeats. */
export function checkSkills(field: string, value: unknown): Checked<string[]> {
  if (!Array.isArray(value)) return bad(field, 'must be a list.');
  if (value.length > LIMITS.skills) return bad(field, `must list at most ${LIMITS.skills} skills.`);
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const checked = checkText(`${field}[${i}]`, value[i], LIMITS.skill);
    if (!checked.ok) return checked;
    if (out.includes(checked.value)) return bad(`${field}[${i}]`, 'repeats an earlier value.');
    out.push(checked.value);
  }
  return ok(out);
}

/** The input of `updateMyProfile` as GraphQL hands it over (absent: unchanged; null: see ProfilePatch). */
export interface ProfileUpdateInput {
  fullName?: string | null;
  fullNameKana?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: { postalCode?: unknown; prefecture?: unknown; city?: unknown; street?: unknown } | null;
  desiredIndustries?: unknown[] | null;
  desiredPrefectures?: unknown[] | null;
  resume?: { summary?: unknown; skills?: unknown } | null;
}

/** The candidate columns a correction may change but not remove. */
type CorrectableField = 'fullName' | 'fullNameKana' | 'email' | 'desiredIndustries' | 'desiredPrefectures';

/** A validated correction: only what the input named, each value in its stored form. */
export interface ProfilePatch {
  candidate: { fullName?: string; fullNameKana?: string; email?: string; phone?: string | null; desiredIndustries?: string[]; desiredPrefectures?: string[] };
  address?: { postalCode: string; prefecture: string; city: string; street: string };
  resume?: { summary?: string; skills?: string[] };
  /** The schema coordinates the correction writes (recorded with the request; never a value). */
  coordinates: string[];
}

/**
 * Validates a whole correction before anything is written: the first problem found, or the patch. `phone: null`
 * removes the phone number; the name, kana, e-mail, address, lists and CV cannot be set to null (omit them to keep them).
 * @example validateProfileUpdate({ email: 'hanako@example.jp', address: { postalCode: '1000001', prefecture: '東京都', city: '千代田区', street: '千代田1-1' } })
 */
export function validateProfileUpdate(input: ProfileUpdateInput): { ok: true; patch: ProfilePatch } | { ok: false; problem: FieldProblem } {
  const patch: ProfilePatch = { candidate: {}, coordinates: [] };
  const fail = (problem: FieldProblem) => ({ ok: false as const, problem });
  const removed = (name: string): FieldProblem => ({ field: `input.${name}`, message: `"input.${name}" cannot be removed: omit it to keep the current value.` });
  const notNull = (name: string) => fail(removed(name));
  const has = (name: keyof ProfileUpdateInput) => Object.hasOwn(input, name) && input[name] !== undefined;
  // A candidate column that can be corrected but not removed: checked, stored in its normal form, its coordinate recorded.
  const correct = <K extends CorrectableField>(name: K, check: (field: string, value: unknown) => Checked<NonNullable<ProfilePatch['candidate'][K]>>): FieldProblem | undefined => {
    if (!has(name)) return undefined;
    if (input[name] === null) return removed(name);
    const checked = check(`input.${name}`, input[name]);
    if (!checked.ok) return checked.problem;
    patch.candidate[name] = checked.value;
    patch.coordinates.push(`Candidate.${name}`);
    return undefined;
  };

  const named = correct('fullName', (f, v) => checkText(f, v, LIMITS.name)) ?? correct('fullNameKana', checkKana) ?? correct('email', checkEmail);
  if (named) return fail(named);
  if (has('phone')) {
    if (input.phone === null) patch.candidate.phone = null;
    else {
      const checked = checkPhone('input.phone', input.phone);
      if (!checked.ok) return fail(checked.problem);
      patch.candidate.phone = checked.value;
    }
    patch.coordinates.push('Candidate.phone');
  }
  if (has('address')) {
    const address = input.address;
    if (address === null || typeof address !== 'object') return notNull('address');
    const postalCode = checkPostalCode('input.address.postalCode', address.postalCode);
    if (!postalCode.ok) return fail(postalCode.problem);
    const prefecture = checkPrefecture('input.address.prefecture', address.prefecture);
    if (!prefecture.ok) return fail(prefecture.problem);
    const city = checkText('input.address.city', address.city, LIMITS.city);
    if (!city.ok) return fail(city.problem);
    const street = checkText('input.address.street', address.street, LIMITS.street);
    if (!street.ok) return fail(street.problem);
    patch.address = { postalCode: postalCode.value, prefecture: prefecture.value, city: city.value, street: street.value };
    patch.coordinates.push('Address.postalCode', 'Address.prefecture', 'Address.city', 'Address.street');
  }
  const listed = correct('desiredIndustries', checkIndustries) ?? correct('desiredPrefectures', checkPrefectures);
  if (listed) return fail(listed);
  if (has('resume')) {
    const resume = input.resume;
    if (resume === null || typeof resume !== 'object') return notNull('resume');
    const out: NonNullable<ProfilePatch['resume']> = {};
    if (resume.summary !== undefined) {
      if (resume.summary === null) return notNull('resume.summary');
      const checked = checkMultilineText('input.resume.summary', resume.summary, LIMITS.summary);
      if (!checked.ok) return fail(checked.problem);
      out.summary = checked.value;
      patch.coordinates.push('Resume.summary');
    }
    if (resume.skills !== undefined) {
      if (resume.skills === null) return notNull('resume.skills');
      const checked = checkSkills('input.resume.skills', resume.skills);
      if (!checked.ok) return fail(checked.problem);
      out.skills = checked.value;
      patch.coordinates.push('Resume.skills');
    }
    if (out.summary === undefined && out.skills === undefined) return fail({ field: 'input.resume', message: '"input.resume" names neither summary nor skills.' });
    patch.resume = out;
  }
  if (patch.coordinates.length === 0) return fail({ field: 'input', message: '"input" names no field to correct.' });
  return { ok: true, patch };
}
