import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';

/**
 * One third-party provision (APPI Art. 29): to whom, about whom, which items, on which basis. Under consent the
 * basis is the consent ledger event that allowed it; under a legal basis, the reference the request declared.
 */
export interface Provision {
  at: Date;
  recipient: { kind: 'EMPLOYER'; id: string } | { kind: 'LEGAL_BASIS' };
  subjectId: string;
  /** Coordinates provided. */
  items: readonly string[];
  categories: readonly string[];
  basis: { kind: 'CONSENT'; consentEventId: number } | { kind: 'LEGAL_BASIS'; reference: string };
  requestId: string;
}

/** A provision as a `privacy.provision_records` row (the first of its bulk record). */
export interface ProvisionRow {
  recordKey: string;
  providedOn: string;
  recipientKind: 'EMPLOYER' | 'LEGAL_BASIS';
  recipientId: string | null;
  subjectId: string;
  items: string[];
  categories: string[];
  basisKind: 'CONSENT' | 'LEGAL_BASIS';
  consentEventId: number | null;
  legalBasis: string | null;
  requestId: string;
  firstProvidedAt: Date;
  lastProvidedAt: Date;
  provisionCount: number;
}

const JST_OFFSET_MS = 9 * 3_600_000;

let lastAt = Number.NaN;
let lastDay = '';

/** The calendar day in Japan (UTC+9, no daylight saving) of an instant: a bulk record's day. */
export function japanDay(at: Date): string {
  // The provisions of one response share their instant: the day is worked out once for them.
  const ms = at.getTime();
  if (ms !== lastAt) {
    lastDay = new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
    lastAt = ms;
  }
  return lastDay;
}

function sortedItems(items: readonly string[]): string[] {
  // Lists built in coordinate order (provisionsOf) are already sorted and unique: kept as they are.
  let ascending = true;
  for (let i = 1; i < items.length && ascending; i++) ascending = items[i - 1]! < items[i]!;
  return ascending ? (items as string[]) : [...new Set(items)].sort();
}

/**
 * The row of a provision. Provisions of the same items to the same recipient about the same subject on the same
 * basis and day share one record key, and so one bulk record.
 */
export function provisionRow(provision: Provision): ProvisionRow {
  const items = sortedItems(provision.items);
  const categories = sortedItems(provision.categories);
  const providedOn = japanDay(provision.at);
  const recipientId = provision.recipient.kind === 'EMPLOYER' ? provision.recipient.id : null;
  const consentEventId = provision.basis.kind === 'CONSENT' ? provision.basis.consentEventId : null;
  const legalBasis = provision.basis.kind === 'LEGAL_BASIS' ? provision.basis.reference : null;
  const recordKey = createHash('sha256')
    .update(canonicalJson([providedOn, provision.recipient.kind, recipientId, provision.subjectId, items, provision.basis.kind, consentEventId, legalBasis]))
    .digest('hex');
  return {
    recordKey,
    providedOn,
    recipientKind: provision.recipient.kind,
    recipientId,
    subjectId: provision.subjectId,
    items,
    categories,
    basisKind: provision.basis.kind,
    consentEventId,
    legalBasis,
    requestId: provision.requestId,
    firstProvidedAt: provision.at,
    lastProvidedAt: provision.at,
    provisionCount: 1,
  };
}

/** Rows of one insert merged by record key (one statement may not touch a row twice). */
export function mergeProvisionRows(rows: readonly ProvisionRow[]): ProvisionRow[] {
  const byKey = new Map<string, ProvisionRow>();
  for (const row of rows) {
    const seen = byKey.get(row.recordKey);
    if (!seen) {
      byKey.set(row.recordKey, { ...row });
      continue;
    }
    seen.provisionCount += row.provisionCount;
    if (row.lastProvidedAt > seen.lastProvidedAt) seen.lastProvidedAt = row.lastProvidedAt;
    if (row.firstProvidedAt < seen.firstProvidedAt) seen.firstProvidedAt = row.firstProvidedAt;
  }
  return [...byKey.values()];
}

/** Repeats of one bulk record counted in the process, not yet added to it. */
export interface Repeat {
  count: number;
  last: Date;
  provision: Provision;
}

/** One bulk record this process knows is committed today. */
type Leaf = object;

/** An items list's part of a bulk record's identity; lists shared by many provisions (provisionsOf) are joined once. */
const itemKeys = new WeakMap<readonly string[], string>();

function itemsKey(items: readonly string[]): string {
  let key = itemKeys.get(items);
  if (key === undefined) itemKeys.set(items, (key = items.join('\u0001')));
  return key;
}

/**
 * Which bulk records this process knows are committed today, and the repeats of them not yet counted in the
 * database. A repeat of a committed record needs no write before its response: it raises a counter, flushed
 * periodically (`provision_count`, `last_provided_at`).
 *
 * A record is found by its parts in nested maps (day, recipient and basis kind → subject → items → basis), not by
 * one string of them all: every response repeats the same few keys (the day and recipient, the items lists its
 * provisions share), whose hashes the strings keep, so a repeated page of 100 provisions builds no identity strings.
 */
export class BulkRecords {
  #day = '';
  readonly #committed = new Map<string, Map<string, Map<string, Map<number | string, Leaf>>>>();
  #repeats = new Map<Leaf, Repeat>();
  #prefixParts: [string, string, string | null] = ['', '', null];
  #prefix = '';

  /** The record's day, recipient and basis kind as one key, reused while they stay the same (they do within a response). */
  #prefixOf(day: string, kind: string, recipientId: string | null): string {
    const parts = this.#prefixParts;
    if (parts[0] !== day || parts[1] !== kind || parts[2] !== recipientId) {
      this.#prefixParts = [day, kind, recipientId];
      this.#prefix = `${day}\u0000${kind}\u0000${recipientId ?? ''}`;
    }
    return this.#prefix;
  }

  #leaf(day: string, kind: string, recipientId: string | null, subjectId: string, items: string, basis: number | string, create: boolean): Leaf | undefined {
    const prefix = this.#prefixOf(day, kind, recipientId);
    let bySubject = this.#committed.get(prefix);
    if (!bySubject) {
      if (!create) return undefined;
      this.#committed.set(prefix, (bySubject = new Map()));
    }
    let byItems = bySubject.get(subjectId);
    if (!byItems) {
      if (!create) return undefined;
      bySubject.set(subjectId, (byItems = new Map()));
    }
    let byBasis = byItems.get(items);
    if (!byBasis) {
      if (!create) return undefined;
      byItems.set(items, (byBasis = new Map()));
    }
    let leaf = byBasis.get(basis);
    if (!leaf && create) byBasis.set(basis, (leaf = {}));
    return leaf;
  }

  /** Counts the repeats of committed records and returns the rows that must be written before the response. */
  admit(provisions: readonly Provision[]): ProvisionRow[] {
    const first: ProvisionRow[] = [];
    for (const provision of provisions) {
      const day = japanDay(provision.at);
      this.#roll(day);
      const recipientId = provision.recipient.kind === 'EMPLOYER' ? provision.recipient.id : null;
      const basis = provision.basis.kind === 'CONSENT' ? provision.basis.consentEventId : provision.basis.reference;
      const leaf = day === this.#day ? this.#leaf(day, provision.recipient.kind, recipientId, provision.subjectId, itemsKey(sortedItems(provision.items)), basis, false) : undefined;
      if (!leaf) {
        first.push(provisionRow(provision));
        continue;
      }
      const repeat = this.#repeats.get(leaf);
      if (repeat) {
        repeat.count++;
        if (provision.at > repeat.last) repeat.last = provision.at;
      } else this.#repeats.set(leaf, { count: 1, last: provision.at, provision });
    }
    return first;
  }

  /** Marks rows as committed. */
  committed(rows: readonly ProvisionRow[]): void {
    for (const row of rows) {
      this.#roll(row.providedOn);
      if (row.providedOn !== this.#day) continue;
      const basis = row.basisKind === 'CONSENT' ? row.consentEventId! : row.legalBasis!;
      this.#leaf(row.providedOn, row.recipientKind, row.recipientId, row.subjectId, itemsKey(row.items), basis, true);
    }
  }

  /** Takes the repeats counted so far, by record key (to be added to their records); `restore` gives them back after a failed flush. */
  takeRepeats(): Map<string, Repeat> {
    const taken = new Map<string, Repeat>();
    for (const repeat of this.#repeats.values()) {
      const key = provisionRow(repeat.provision).recordKey;
      const seen = taken.get(key);
      if (!seen) taken.set(key, { ...repeat });
      else {
        // A record given back by `restore` and counted again since.
        seen.count += repeat.count;
        if (repeat.last > seen.last) seen.last = repeat.last;
      }
    }
    this.#repeats = new Map();
    return taken;
  }

  restore(repeats: ReadonlyMap<string, Repeat>): void {
    // Kept apart from the records' own counters; takeRepeats merges them by record key.
    for (const repeat of repeats.values()) this.#repeats.set({}, { ...repeat });
  }

  get pendingRepeats(): number {
    let n = 0;
    for (const repeat of this.#repeats.values()) n += repeat.count;
    return n;
  }

  /** A new day starts with no committed records (a record is per day); yesterday's repeats stay to be flushed. */
  #roll(day: string): void {
    if (day > this.#day) {
      this.#day = day;
      this.#committed.clear();
    }
  }
}
