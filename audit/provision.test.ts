import { describe, expect, it } from 'vitest';
import { BulkRecords, provisionRow, type Provision } from './provision.ts';

const EMPLOYER = '00000000-0000-4000-8000-0000000000e1';
const SUBJECT = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const ITEMS = ['Candidate.email', 'Candidate.fullName'];

function provision(overrides: Partial<Provision> = {}): Provision {
  return {
    at: new Date('2026-12-03T03:00:00Z'),
    recipient: { kind: 'EMPLOYER', id: EMPLOYER },
    subjectId: SUBJECT,
    items: ITEMS,
    categories: ['CONTACT', 'IDENTITY'],
    basis: { kind: 'CONSENT', consentEventId: 7 },
    requestId: '00000000-0000-4000-8000-00000000a001',
    ...overrides,
  };
}

/** Admits provisions and marks what must be written as committed, as the writer does after its commit. */
function admitAndCommit(bulk: BulkRecords, provisions: Provision[]) {
  const rows = bulk.admit(provisions);
  bulk.committed(rows);
  return rows;
}

describe('BulkRecords', () => {
  it('writes the first provision of a day and counts its repeats, whatever list object carries the same items', () => {
    const bulk = new BulkRecords();
    expect(admitAndCommit(bulk, [provision()])).toHaveLength(1);
    expect(bulk.admit([provision({ items: [...ITEMS] }), provision({ items: [...ITEMS].reverse() })])).toEqual([]);
    expect(bulk.pendingRepeats).toBe(2);
    const repeats = bulk.takeRepeats();
    expect([...repeats.keys()]).toEqual([provisionRow(provision()).recordKey]);
    expect([...repeats.values()][0]!.count).toBe(2);
    expect(bulk.pendingRepeats).toBe(0);
  });

  it('tells records apart by subject, items, consent event, recipient, basis kind and day', () => {
    const bulk = new BulkRecords();
    admitAndCommit(bulk, [provision()]);
    const different = [
      provision({ subjectId: OTHER }),
      provision({ items: ['Candidate.email'] }),
      provision({ basis: { kind: 'CONSENT', consentEventId: 8 } }),
      provision({ recipient: { kind: 'EMPLOYER', id: '00000000-0000-4000-8000-0000000000e2' } }),
      provision({ recipient: { kind: 'LEGAL_BASIS' }, basis: { kind: 'LEGAL_BASIS', reference: '7' } }),
    ];
    expect(bulk.admit(different)).toHaveLength(different.length);
    expect(bulk.pendingRepeats).toBe(0);
    // The next day in Japan (UTC+9) starts at 15:00 UTC: a new record, and yesterday's are forgotten.
    const tomorrow = new Date('2026-12-03T15:00:00Z');
    expect(admitAndCommit(bulk, [provision({ at: tomorrow })])).toHaveLength(1);
    expect(bulk.admit([provision({ at: tomorrow })])).toEqual([]);
  });

  it('gives repeats back after a failed flush and merges them with those counted since', () => {
    const bulk = new BulkRecords();
    admitAndCommit(bulk, [provision(), provision({ subjectId: OTHER })]);
    bulk.admit([provision(), provision({ subjectId: OTHER })]);
    const first = bulk.takeRepeats();
    expect(first.size).toBe(2);
    bulk.restore(first);
    bulk.admit([provision({ at: new Date('2026-12-03T04:00:00Z') })]);
    expect(bulk.pendingRepeats).toBe(3);
    const merged = bulk.takeRepeats();
    expect(merged.size).toBe(2);
    const mine = merged.get(provisionRow(provision()).recordKey)!;
    expect(mine.count).toBe(2);
    expect(mine.last.toISOString()).toBe('2026-12-03T04:00:00.000Z');
    expect(merged.get(provisionRow(provision({ subjectId: OTHER })).recordKey)!.count).toBe(1);
  });

  it('writes again what was never committed (a failed batch)', () => {
    const bulk = new BulkRecords();
    expect(bulk.admit([provision()])).toHaveLength(1);
    expect(bulk.admit([provision()])).toHaveLength(1);
    expect(bulk.pendingRepeats).toBe(0);
  });
});
