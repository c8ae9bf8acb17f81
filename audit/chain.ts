import { createHash } from 'node:crypto';
import type { AuditEvent, AuditOutcome } from '../db/schema/audit.ts';
import { canonicalJson } from './canonical.ts';

/** The `prev_hash` of a chain's first row (seq 1), and the hash of its start checkpoint (seq 0). */
export const GENESIS_HASH = '0'.repeat(64);

/** One privacy event as the writer takes it: what was decided about whom, never a value. */
export interface AuditEntry {
  event: AuditEvent;
  occurredAt: Date;
  requestId: string | null;
  callerSub: string | null;
  role: string | null;
  org: string | null;
  purpose: string | null;
  legalBasis: string | null;
  operationName: string | null;
  operationType: string | null;
  documentHash: string | null;
  outcome: AuditOutcome;
  released: string[];
  masked: { coordinate: string; strategy: string }[];
  withheld: Record<string, string[]>;
  subjects: string[];
  detail: Record<string, unknown>;
}

/** Who asked, as every entry about a caller's request records it: the bound caller's columns. */
export function callerColumns(caller: { sub: string | null; role: string | null; org: string | null; purpose: string | null; legalBasis: string | null }): Pick<
  AuditEntry,
  'callerSub' | 'role' | 'org' | 'purpose' | 'legalBasis'
> {
  return { callerSub: caller.sub, role: caller.role, org: caller.org, purpose: caller.purpose, legalBasis: caller.legalBasis };
}

/** A log row: an entry at its place in a chain. */
export interface ChainedRow extends AuditEntry {
  chainId: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/** The entry as the hash covers it: every column of the event, the time as an ISO 8601 string. */
export function entryForm(entry: AuditEntry): unknown {
  return {
    event: entry.event,
    occurredAt: entry.occurredAt.toISOString(),
    requestId: entry.requestId,
    callerSub: entry.callerSub,
    role: entry.role,
    org: entry.org,
    purpose: entry.purpose,
    legalBasis: entry.legalBasis,
    operationName: entry.operationName,
    operationType: entry.operationType,
    documentHash: entry.documentHash,
    outcome: entry.outcome,
    released: entry.released,
    masked: entry.masked,
    withheld: entry.withheld,
    subjects: entry.subjects,
    detail: entry.detail,
  };
}

/**
 * The RFC 8785 form of an entry; throws if it has none (a lone surrogate, NaN, an invalid time). The writer computes
 * it once, where the request is, and the chain places it (`chainRows`).
 */
export function entryCanonical(entry: AuditEntry): string {
  // The entry's shape is fixed, so its RFC 8785 form is written out here: the keys in their sorted order, strings
  // as JSON.stringify writes them (RFC 8785 §3.2.2.2 for well-formed strings; a lone surrogate is refused, as the
  // general form refuses it), and only `detail` (of any shape) through the general canonicalisation. The result
  // is the same text as canonicalJson(entryForm(entry)) (a property test holds them equal); it costs a fraction.
  const withheldKeys = Object.keys(entry.withheld).sort();
  let withheld = '{';
  for (let i = 0; i < withheldKeys.length; i++) {
    const key = withheldKeys[i]!;
    withheld += `${i > 0 ? ',' : ''}${text(key)}:${texts(entry.withheld[key]!)}`;
  }
  let masked = '[';
  for (let i = 0; i < entry.masked.length; i++) {
    const m = entry.masked[i]!;
    masked += `${i > 0 ? ',' : ''}{"coordinate":${text(m.coordinate)},"strategy":${text(m.strategy)}}`;
  }
  const detail = Object.keys(entry.detail).length === 0 ? '{}' : canonicalJson(entry.detail);
  return (
    `{"callerSub":${nullable(entry.callerSub)},"detail":${detail},"documentHash":${nullable(entry.documentHash)},` +
    `"event":${text(entry.event)},"legalBasis":${nullable(entry.legalBasis)},"masked":${masked}],` +
    `"occurredAt":${text(entry.occurredAt.toISOString())},"operationName":${nullable(entry.operationName)},` +
    `"operationType":${nullable(entry.operationType)},"org":${nullable(entry.org)},"outcome":${text(entry.outcome)},` +
    `"purpose":${nullable(entry.purpose)},"released":${texts(entry.released)},"requestId":${nullable(entry.requestId)},` +
    `"role":${nullable(entry.role)},"subjects":${texts(entry.subjects)},"withheld":${withheld}}}`
  );
}

/** In `u` mode a surrogate pair is one code point, so this matches only a surrogate standing alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A string's RFC 8785 form; a lone surrogate has none. */
function text(value: string): string {
  if (typeof value !== 'string') throw new TypeError('An access-log field that must be text is not.');
  if (LONE_SURROGATE.test(value)) throw new TypeError('Lone surrogate is not allowed');
  return JSON.stringify(value);
}

function nullable(value: string | null): string {
  return value === null ? 'null' : text(value);
}

function texts(values: readonly string[]): string {
  if (values.length === 0) return '[]';
  // JSON.stringify writes an array of strings exactly as RFC 8785 does; one test covers every item (joined with a
  // NUL, so two halves in neighbouring items cannot pass as a pair).
  for (const value of values) if (typeof value !== 'string') throw new TypeError('An access-log field that must be text is not.');
  if (LONE_SURROGATE.test(values.join('\u0000'))) throw new TypeError('Lone surrogate is not allowed');
  return JSON.stringify(values);
}

/** SHA-256 (hex) over the previous hash followed by the RFC 8785 form of `{ chainId, entry, prevHash, seq }`. */
function hashOf(chainId: string, seq: number, prevHash: string, canonicalEntry: string): string {
  // The canonical form of that object, written out: its keys in RFC 8785 order, the entry already canonical, and
  // chain id and hash plain ASCII (a UUID, hex), whose JSON strings RFC 8785 writes as JSON.stringify does.
  const text = `{"chainId":${JSON.stringify(chainId)},"entry":${canonicalEntry},"prevHash":${JSON.stringify(prevHash)},"seq":${seq}}`;
  return createHash('sha256').update(prevHash).update(text).digest('hex');
}

/**
 * A row's hash: SHA-256 (hex) over the previous row's hash followed by the RFC 8785 form of the row,
 * `{ chainId, seq, prevHash, entry }` (verification computes it from the stored columns).
 * @example rowHash({ ...entry, chainId, seq: 1, prevHash: GENESIS_HASH })
 */
export function rowHash(row: Omit<ChainedRow, 'hash'>): string {
  return createHash('sha256')
    .update(row.prevHash)
    .update(canonicalJson({ chainId: row.chainId, seq: row.seq, prevHash: row.prevHash, entry: entryForm(row) }))
    .digest('hex');
}

/** The head of a chain: its last seq and that row's hash (seq 0 and GENESIS_HASH before any row). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Places entries after `head`, in order: consecutive seqs, each row's prev_hash the hash before it. `canonical`
 * holds each entry's entryCanonical where it was computed already.
 */
export function chainRows(chainId: string, head: ChainHead, entries: readonly AuditEntry[], canonical?: readonly string[]): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let { seq, hash } = head;
  entries.forEach((entry, i) => {
    const row = { ...entry, chainId, seq: seq + 1, prevHash: hash, hash: hashOf(chainId, seq + 1, hash, canonical?.[i] ?? entryCanonical(entry)) };
    rows.push(row);
    seq = row.seq;
    hash = row.hash;
  });
  return rows;
}
