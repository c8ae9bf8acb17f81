// Test oracles and request helpers shared by the end-to-end privacy suites. Nothing here calls the product's
// decision or masking code: expected values are computed independently from the contract (DESIGN §3).
import { createHmac } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database } from '../db/client.ts';
import { consents } from '../db/schema/privacy.ts';
import type { Purpose } from '../directives/purposes.ts';
import type { GraphQLResponse, TestSystem } from './system.ts';

/** Every purpose code of DESIGN §3, written out so a test never learns the list from the product. */
export const ALL_PURPOSES = [
  'SERVICE_PROVISION',
  'SUPPORT',
  'IDENTITY_VERIFICATION',
  'EMPLOYER_DISCLOSURE',
  'MARKETING',
  'SURVEY',
  'ADVERTISING',
  'ANALYTICS',
  'FRAUD_PREVENTION',
  'BILLING',
  'LEGAL_OBLIGATION',
  'VITAL_INTEREST',
  'PUBLIC_HEALTH',
  'GOVERNMENT_COOPERATION',
] as const satisfies readonly Purpose[];

/** Purposes that need the data subject's consent (DESIGN §3, column "consent"); EMPLOYER_DISCLOSURE per employer. */
export const CONSENT_PURPOSES: readonly Purpose[] = ['EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY', 'ADVERTISING'];

/** The APPI exceptions: compliance only, with an `x-legal-basis` reference. */
export const LEGAL_BASIS_PURPOSES: readonly Purpose[] = ['LEGAL_OBLIGATION', 'VITAL_INTEREST', 'PUBLIC_HEALTH', 'GOVERNMENT_COOPERATION'];

/** A court case number as Japanese courts write it (ワ: civil first instance). */
export const JAPANESE_LEGAL_BASIS = 'Tokyo District Court 2026(ワ)123';
/** The same reference romanized; accepted whatever the header decoding (see the legal-basis tests). */
export const ASCII_LEGAL_BASIS = 'Tokyo District Court 2026(wa)123';

/**
 * The `x-legal-basis` header for a reference. HTTP header values are bytes and fetch only takes Latin-1
 * strings, so a UTF-8 reference is sent as its raw UTF-8 bytes.
 */
export function legalBasisHeader(reference: string): Record<string, string> {
  return { 'x-legal-basis': Buffer.from(reference, 'utf8').toString('latin1') };
}

/** HTTP requests that reached any of the three subgraphs so far. */
export function subgraphRequests(t: TestSystem): number {
  return Object.values(t.system.subgraphs).reduce((sum, s) => sum + s.requestCount, 0);
}

/** A privacy error reduced to what the contract fixes: where, which code, which coordinate. */
export interface FieldError {
  path: (string | number)[];
  code: string;
  coordinate: string;
}

export interface MaskEntry {
  path: (string | number)[];
  coordinate: string;
  strategy: string;
}

const byPath = <T extends { path: (string | number)[] }>(a: T, b: T) => {
  const ka = JSON.stringify(a.path);
  const kb = JSON.stringify(b.path);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The response's errors as `FieldError`s, sorted by path. */
export function fieldErrors(body: GraphQLResponse['body']): FieldError[] {
  return (body.errors ?? [])
    .map((e) => ({ path: e.path ?? [], code: String(e.extensions?.code), coordinate: String(e.extensions?.coordinate) }))
    .sort(byPath);
}

/** The response's `extensions.privacy.masked`, sorted by path. */
export function maskEntries(body: GraphQLResponse['body']): MaskEntry[] {
  const masked = (body.extensions?.privacy?.masked ?? []) as MaskEntry[];
  return masked.map((m) => ({ path: m.path, coordinate: m.coordinate, strategy: m.strategy })).sort(byPath);
}

export function sortByPath<T extends { path: (string | number)[] }>(items: T[]): T[] {
  return [...items].sort(byPath);
}

/** The value at `path` in `data` (undefined when a segment is missing). */
export function at(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Every string leaf of a value (for "this response does not contain that value" checks). */
export function stringLeaves(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) stringLeaves(item, out);
  return out;
}

/**
 * Error hygiene: no message or extension names a purpose other than the caller's (a denial never says what would
 * open a field), quotes a personal value, SQL, a stack trace or a source file.
 */
export function expectCleanErrors(body: GraphQLResponse['body'], options: { purpose?: string; personal?: Iterable<string> }) {
  const personal = [...(options.personal ?? [])].filter((v) => v.length >= 4);
  for (const error of body.errors ?? []) {
    const text = JSON.stringify({ message: error.message, extensions: error.extensions });
    for (const purpose of ALL_PURPOSES) {
      if (purpose !== options.purpose) expect(text, `error names purpose ${purpose}: ${text}`).not.toContain(purpose);
    }
    for (const value of personal) expect(text, `error quotes a personal value: ${text}`).not.toContain(value);
    expect(text).not.toMatch(/\b(select|insert|update|delete)\b.*\b(from|into|set|where)\b/i);
    expect(text).not.toMatch(/\bstack(trace)?\b|\.ts:\d+|node_modules|\bat [\w.<>]+ \(/i);
    expect(text).not.toMatch(/postgres|pglite|relation "|syntax error at|violates/i);
  }
}

/**
 * Expected masked forms, written from the strategy descriptions in DESIGN / `MASK_STRATEGIES`
 * (not by calling the product's masks).
 */
export function expectedMask(strategy: string, raw: unknown, context: { now: Date; pseudonymKey: Uint8Array }): unknown {
  if (raw === null || raw === undefined) return null;
  switch (strategy) {
    case 'EMAIL': {
      const s = raw as string;
      return `${Array.from(s)[0]}***@${s.slice(s.lastIndexOf('@') + 1)}`;
    }
    case 'PHONE_LAST4': {
      const s = raw as string;
      const digits = s.replace(/\D/g, '').length;
      let hide = digits - 4;
      return s.replace(/\d/g, (d) => (hide-- > 0 ? '*' : d));
    }
    case 'NAME_INITIAL':
      return `${Array.from((raw as string).trim())[0]}.`;
    case 'BIRTH_YEAR':
      return (raw as string).slice(0, 4);
    case 'AGE_BAND': {
      const [y, m, d] = (raw as string).split('-').map(Number) as [number, number, number];
      const now = context.now;
      const hadBirthday = now.getUTCMonth() + 1 > m || (now.getUTCMonth() + 1 === m && now.getUTCDate() >= d);
      const age = now.getUTCFullYear() - y - (hadBirthday ? 0 : 1);
      if (age >= 60) return '60+';
      const low = Math.floor(age / 10) * 10;
      return `${low}-${low + 9}`;
    }
    case 'PREFECTURE_ONLY':
      return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, k === 'prefecture' ? v : null]));
    case 'LAST4': {
      const chars = Array.from(raw as string);
      return '*'.repeat(chars.length - 4) + chars.slice(-4).join('');
    }
    case 'PSEUDONYM':
      // A keyed HMAC-SHA-256 of the value: stable per value, reveals nothing about it.
      return `psn_${createHmac('sha256', context.pseudonymKey).update(raw as string, 'utf8').digest('base64url').slice(0, 22)}`;
    default:
      throw new Error(`unknown mask strategy ${strategy}`);
  }
}

type ConsentRow = { subjectId: string; purpose: string; recipientId: string | null; state: string; expiresAt: Date | null };

/**
 * A consent oracle over the database's current consent state, written from DESIGN §3: a live grant (not withdrawn,
 * not expired) to this employer, or to every employer unless withdrawn for this one; subject-level purposes need a
 * live grant without recipient.
 */
export async function loadConsentOracle(db: Database, subjectIds: readonly string[]) {
  const rows: ConsentRow[] =
    subjectIds.length === 0
      ? []
      : await db
          .select({
            subjectId: consents.subjectId,
            purpose: consents.purpose,
            recipientId: consents.recipientId,
            state: consents.state,
            expiresAt: consents.expiresAt,
          })
          .from(consents)
          .where(inArray(consents.subjectId, [...subjectIds]));
  return (subjectId: string, purpose: Purpose, recipient: string | null, now = new Date()): boolean => {
    const mine = rows.filter((r) => r.subjectId === subjectId && r.purpose === purpose);
    const live = (r: ConsentRow | undefined) => !!r && r.state === 'GRANTED' && (r.expiresAt === null || r.expiresAt > now);
    const general = mine.find((r) => r.recipientId === null);
    if (recipient === null) return live(general);
    const specific = mine.find((r) => r.recipientId === recipient);
    if (live(specific)) return true;
    if (specific?.state === 'WITHDRAWN') return false;
    return live(general);
  };
}
