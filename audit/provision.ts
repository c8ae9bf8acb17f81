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

/** The calendar day in Japan (UTC+9, no daylight saving) of an instant: a bulk record's day. */
export function japanDay(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The row of a provision. Provisions of the same items to the same recipient about the same subject on the same
 * basis and day share one record key, and so one bulk record.
 */
export function provisionRow(provision: Provision): ProvisionRow {
  const items = [...new Set(provision.items)].sort();
  const categories = [...new Set(provision.categories)].sort();
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

/**
 * Which bulk records this process knows are committed today, and the repeats of them not yet counted in the
 * database. A repeat of a committed record needs no write before its response: it raises a counter, flushed
 * periodically (`provision_count`, `last_provided_at`).
 */
export class BulkRecords {
  #day = '';
  readonly #committed = new Set<string>();
  readonly #repeats = new Map<string, { count: number; last: Date }>();

  /** Splits rows into those that must be written before the response and repeats (counted now). */
  admit(rows: readonly ProvisionRow[]): ProvisionRow[] {
    const first: ProvisionRow[] = [];
    for (const row of rows) {
      this.#roll(row.providedOn);
      if (row.providedOn === this.#day && this.#committed.has(row.recordKey)) {
        const repeat = this.#repeats.get(row.recordKey);
        if (repeat) {
          repeat.count += row.provisionCount;
          if (row.lastProvidedAt > repeat.last) repeat.last = row.lastProvidedAt;
        } else this.#repeats.set(row.recordKey, { count: row.provisionCount, last: row.lastProvidedAt });
      } else first.push(row);
    }
    return first;
  }

  /** Marks rows as committed. */
  committed(rows: readonly ProvisionRow[]): void {
    for (const row of rows) {
      this.#roll(row.providedOn);
      if (row.providedOn === this.#day) this.#committed.add(row.recordKey);
    }
  }

  /** Takes the repeats counted so far (to be added to their records); `restore` gives them back after a failed flush. */
  takeRepeats(): Map<string, { count: number; last: Date }> {
    const taken = new Map(this.#repeats);
    this.#repeats.clear();
    return taken;
  }

  restore(repeats: ReadonlyMap<string, { count: number; last: Date }>): void {
    for (const [key, repeat] of repeats) {
      const seen = this.#repeats.get(key);
      if (!seen) this.#repeats.set(key, { ...repeat });
      else {
        seen.count += repeat.count;
        if (repeat.last > seen.last) seen.last = repeat.last;
      }
    }
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
