/**
 * Field resolvers of the `DataSubjectRequest` type over a `privacy.dsr_requests` row (names and times, never a
 * value): what the correction and restriction mutations return.
 */
import type { DsrRequest } from '../../ledger/requests.ts';
import { iso } from '../common/sql.ts';

/** The items a request names: the purposes of a restriction, the coordinates of a correction. */
function itemsOf(detail: Record<string, unknown>): string[] {
  const items: string[] = [];
  for (const key of ['items', 'purposes', 'coordinates']) {
    const list = detail[key];
    if (Array.isArray(list)) for (const item of list) if (typeof item === 'string' && !items.includes(item)) items.push(item);
  }
  return items;
}

/** What the steps of a request kept, and why. */
function keptOf(row: DsrRequest): { collection: string; rows: number; reason: string }[] {
  return row.steps.flatMap((step) => (Array.isArray(step.detail?.kept) ? (step.detail.kept as { collection: string; rows: number; reason: string }[]) : []));
}

export const dataSubjectRequestResolvers = {
  receivedAt: (row: DsrRequest) => iso(row.receivedAt),
  dueAt: (row: DsrRequest) => iso(row.dueAt),
  completedAt: (row: DsrRequest) => iso(row.completedAt),
  overdue: (row: DsrRequest) => (row.status === 'RECEIVED' || row.status === 'IN_PROGRESS') && row.dueAt.getTime() < Date.now(),
  filedBy: (row: DsrRequest) => (row.filedByRole === 'candidate' ? 'SUBJECT' : row.filedByRole),
  steps: (row: DsrRequest) => row.steps.map((s) => ({ ...s, lastError: s.lastError ?? null, doneAt: s.doneAt ?? null })),
  kept: keptOf,
  items: (row: DsrRequest) => itemsOf(row.detail),
};
