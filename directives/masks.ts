import { createHmac } from 'node:crypto';
import type { MaskStrategy } from './purposes.ts';

/**
 * Masking strategies for `@pii(mask: ...)`. Every function fails closed: input of an unexpected
 * shape becomes null, never the raw value.
 */

export interface MaskContext {
  pseudonymKey: Uint8Array;
  now: Date;
}

export const AGE_BANDS = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const PSEUDONYM_PREFIX = 'psn_';
const PSEUDONYM_LENGTH = 22;

const PHONE_SEPARATOR = /^[\s\-‐‑‒–—―−ー－.．()（）+＋/]$/u;
const ADDRESS_KEPT_KEYS: ReadonlySet<string> = new Set(['prefecture', '__typename']);

/** Applies `strategy` to a field value as it appears in a GraphQL response (string, list of strings, or an object for PREFECTURE_ONLY). */
export function applyMask(strategy: MaskStrategy, value: unknown, context: MaskContext): unknown {
  if (strategy === 'PSEUDONYM') assertPseudonymKey(context.pseudonymKey);
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((element: unknown) => applyMask(strategy, element, context));
  if (strategy === 'PREFECTURE_ONLY') return prefectureOnly(value);
  if (typeof value !== 'string') return null;
  switch (strategy) {
    case 'EMAIL':
      return maskEmail(value);
    case 'PHONE_LAST4':
      return maskPhone(value);
    case 'NAME_INITIAL':
      return maskNameInitial(value);
    case 'BIRTH_YEAR':
      return birthYear(value);
    case 'AGE_BAND':
      return ageBand(value, context.now);
    case 'LAST4':
      return maskLast4(value);
    case 'PSEUDONYM':
      return pseudonym(value, context.pseudonymKey);
    default:
      return assertNever(strategy);
  }
}

/**
 * What one member of a masked object keeps, given the member's field name (not its response key, so an alias
 * cannot pass another field off as a kept one): the same as `applyMask(strategy, { [field]: value })[field]`,
 * without building either object. Only PREFECTURE_ONLY keeps anything of an object.
 */
export function maskMember(strategy: MaskStrategy, field: string, value: unknown, context: MaskContext): unknown {
  if (strategy === 'PSEUDONYM') assertPseudonymKey(context.pseudonymKey);
  return strategy === 'PREFECTURE_ONLY' ? prefectureOnlyKeeps(field, value) : null;
}

/** What PREFECTURE_ONLY keeps of one address member: `prefecture` and `__typename` when they are strings. */
function prefectureOnlyKeeps(field: string, value: unknown): string | null {
  return ADDRESS_KEPT_KEYS.has(field) && typeof value === 'string' ? value : null;
}

/** Keeps the first code point of the local part and the domain: `taro.yamada@example.com` → `t***@example.com`. */
export function maskEmail(s: string): string {
  const at = s.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = firstCodePoint(s);
  return `${first}***@${s.slice(at + 1)}`;
}

/** Stars every digit but the last four, and anything that is neither a digit nor a separator, keeping separators: `090-1234-5678` → `***-****-5678`. */
export function maskPhone(s: string): string {
  const chars = Array.from(s);
  const digits = chars.filter(isDigit).length;
  let digitsToHide = digits >= 4 ? digits - 4 : digits;
  return chars
    .map((c) => {
      if (isDigit(c)) {
        if (digitsToHide <= 0) return c;
        digitsToHide -= 1;
        return '*';
      }
      return PHONE_SEPARATOR.test(c) ? c : '*';
    })
    .join('');
}

/** The first code point of a name followed by `.` (`山田 太郎` → `山.`), or null for a blank name. */
export function maskNameInitial(s: string): string | null {
  const trimmed = s.trim();
  if (trimmed === '') return null;
  return `${firstCodePoint(trimmed)}.`;
}

/** The year of an ISO date (`1990-05-12` → `1990`), or null if the date is invalid. */
export function birthYear(isoDate: string): string | null {
  const date = parseIsoDate(isoDate);
  return date === null ? null : String(date.year).padStart(4, '0');
}

/** The ten-year age band (`30-39`, `60+`) of someone born on `isoDate` at `now` (UTC), or null if either is invalid or the date lies after `now`. */
export function ageBand(isoDate: string, now: Date): AgeBand | null {
  const birth = parseIsoDate(isoDate);
  if (birth === null || Number.isNaN(now.getTime())) return null;
  const nowMonth = now.getUTCMonth() + 1;
  const nowDay = now.getUTCDate();
  const birthdayPassed = nowMonth > birth.month || (nowMonth === birth.month && nowDay >= birth.day);
  const age = now.getUTCFullYear() - birth.year - (birthdayPassed ? 0 : 1);
  if (age < 0) return null;
  if (age >= 60) return '60+';
  return AGE_BANDS[Math.floor(age / 10)] ?? null;
}

/** An address object with the same keys, `prefecture` and `__typename` kept and every other key null; null for a non-object. */
export function prefectureOnly(address: unknown): Record<string, unknown> | null {
  if (typeof address !== 'object' || address === null || Array.isArray(address)) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(address)) {
    const value = (address as Record<string, unknown>)[key];
    const kept = prefectureOnlyKeeps(key, value);
    // An own "__proto__" key (from JSON) stays a plain key: assigning it would replace the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}

/** Stars all but the last four characters of an identification code, preserving its length: `AB12345678CD` → `********78CD`. */
export function maskLast4(s: string): string {
  const chars = Array.from(s);
  const keep = chars.length > 4 ? 4 : 0;
  return '*'.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
}

/** A stable keyed pseudonym: `psn_` + the first 22 base64url characters of HMAC-SHA-256(key, UTF-8 value); throws on an empty key. */
export function pseudonym(value: string, key: Uint8Array): string {
  assertPseudonymKey(key);
  const digest = createHmac('sha256', key).update(value, 'utf8').digest('base64url');
  return PSEUDONYM_PREFIX + digest.slice(0, PSEUDONYM_LENGTH);
}

function assertPseudonymKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length === 0) {
    throw new Error('PSEUDONYM masking requires a non-empty pseudonym key');
  }
}

function firstCodePoint(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** One code point that is a decimal digit in any script (ASCII answered without the regular expression). */
function isDigit(c: string): boolean {
  if (c.length === 1 && c >= '0' && c <= '9') return true;
  return c.charCodeAt(0) > 0x7f && DECIMAL_DIGIT.test(c);
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T.*)?$/;

function parseIsoDate(s: string): CalendarDate | null {
  // The common case, a plain `YYYY-MM-DD`, is read digit by digit (no match array, no substrings).
  if (s.length === 10) {
    const year = digits(s, 0, 4);
    const month = s.charCodeAt(4) === DASH ? digits(s, 5, 2) : -1;
    const day = s.charCodeAt(7) === DASH ? digits(s, 8, 2) : -1;
    return year < 0 ? null : calendarDate(year, month, day);
  }
  const match = ISO_DATE.exec(s);
  if (match === null) return null;
  if (match[4] !== undefined && Number.isNaN(Date.parse(s))) return null;
  return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** The date if the month and day exist in that year, else null. */
function calendarDate(year: number, month: number, day: number): CalendarDate | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

const DASH = 0x2d;
const ZERO = 0x30;

/** The decimal number of `length` ASCII digits of `s` from `start`, or -1 if any is not a digit. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function assertNever(value: never): never {
  throw new Error(`Unknown mask strategy: ${String(value)}`);
}
