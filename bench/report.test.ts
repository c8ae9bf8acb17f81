import { describe, expect, it } from 'vitest';
import type { LoadResult } from './load.ts';
import { auditTable, type RunRecord } from './report.ts';

function run(scenario: RunRecord['scenario'], round: number, counters?: Record<string, number>): RunRecord {
  const load = { seconds: 8, rps: 300, responses: 2_400, p50Ms: 100, p99Ms: 300 } as LoadResult;
  return {
    scenario,
    round,
    connections: 50,
    load,
    targetCpuMicrosPerRequest: 2_000,
    subgraphsCpuMicrosPerRequest: 1_800,
    targetMaxRssKb: 400_000,
    loadGeneratorCpuMicrosPerRequest: 100,
    machineBusyCores: 2,
    otherBusyCores: 0.3,
    ...(counters ? { targetCounters: counters } : {}),
  };
}

describe('the access-log writer table of a bench report', () => {
  it('gives rows per second, rows per batch and commit latency as medians over rounds, only for runs that carried the writer', () => {
    const runs = [
      run('A', 1),
      run('B', 1, { auditRows: 2_400, auditBatches: 800, auditProvisionRecords: 50, auditFailedRows: 0, 'gauge.auditCommitP50Ms': 2, 'gauge.auditCommitP99Ms': 9 }),
      run('B', 2, { auditRows: 3_200, auditBatches: 800, auditProvisionRecords: 0, auditFailedRows: 1, 'gauge.auditCommitP50Ms': 3, 'gauge.auditCommitP99Ms': 12 }),
      run('B', 3, { auditRows: 4_000, auditBatches: 500, auditProvisionRecords: 0, auditFailedRows: 0, 'gauge.auditCommitP50Ms': 2.5, 'gauge.auditCommitP99Ms': 30 }),
    ];
    const table = auditTable(runs)!;
    const rows = table.split('\n').filter((line) => line.startsWith('| B '));
    // Rows/s 300, 400, 500 → 400; rows per batch 3, 4, 8 → 4.0; p50 2, 3, 2.5 → 2.50; p99 9, 12, 30 → 12.00.
    expect(rows).toEqual(['| B | 400 | 4.0 | 2.50 / 12.00 | 50 | 1 |']);
    expect(table).not.toContain('| A ');
  });

  it('is left out when no run carried the writer (the log off, or a peer)', () => {
    expect(auditTable([run('A', 1), run('H', 1, { requests: 10, subgraphFetches: 20 })])).toBeNull();
  });
});
