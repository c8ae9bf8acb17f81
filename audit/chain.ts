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

/** A log row: an entry at its place in a chain. */
export interface ChainedRow extends AuditEntry {
  chainId: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/** The entry as the hash covers it: every column of the event, the time as an ISO 8601 string. */
function entryForm(entry: AuditEntry): unknown {
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
  return canonicalJson(entryForm(entry));
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
