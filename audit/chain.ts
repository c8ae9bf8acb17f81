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

/** What the hash covers: every column but `hash`, the time as an ISO 8601 string. */
function hashedForm(row: Omit<ChainedRow, 'hash'>): unknown {
  return {
    chainId: row.chainId,
    seq: row.seq,
    prevHash: row.prevHash,
    event: row.event,
    occurredAt: row.occurredAt.toISOString(),
    requestId: row.requestId,
    callerSub: row.callerSub,
    role: row.role,
    org: row.org,
    purpose: row.purpose,
    legalBasis: row.legalBasis,
    operationName: row.operationName,
    operationType: row.operationType,
    documentHash: row.documentHash,
    outcome: row.outcome,
    released: row.released,
    masked: row.masked,
    withheld: row.withheld,
    subjects: row.subjects,
    detail: row.detail,
  };
}

/**
 * A row's hash: SHA-256 (hex) over the previous row's hash followed by the RFC 8785 form of the row itself.
 * @example rowHash({ ...entry, chainId, seq: 1, prevHash: GENESIS_HASH })
 */
export function rowHash(row: Omit<ChainedRow, 'hash'>): string {
  return createHash('sha256').update(row.prevHash).update(canonicalJson(hashedForm(row))).digest('hex');
}

/** Whether an entry has a canonical form (no lone surrogate, no NaN, a valid time): one that does not cannot be chained. */
export function isHashable(entry: AuditEntry): boolean {
  try {
    canonicalJson(hashedForm({ ...entry, chainId: '', seq: 0, prevHash: '' }));
    return true;
  } catch {
    return false;
  }
}

/** The head of a chain: its last seq and that row's hash (seq 0 and GENESIS_HASH before any row). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Places entries after `head`, in order: consecutive seqs, each row's prev_hash the hash before it. */
export function chainRows(chainId: string, head: ChainHead, entries: readonly AuditEntry[]): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let { seq, hash } = head;
  for (const entry of entries) {
    const unhashed = { ...entry, chainId, seq: seq + 1, prevHash: hash };
    const row = { ...unhashed, hash: rowHash(unhashed) };
    rows.push(row);
    seq = row.seq;
    hash = row.hash;
  }
  return rows;
}
