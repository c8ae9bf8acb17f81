/** A `privacy.dsr_requests` row in the shape of the `DataSubjectRequest` type (names and times, never a value). */
import type { DsrRequest } from '../../ledger/requests.ts';
import { iso } from '../common/sql.ts';

export interface DataSubjectRequestShape {
  id: string;
  kind: DsrRequest['kind'];
  subjectId: string;
  status: DsrRequest['status'];
  receivedAt: string;
  dueAt: string;
  completedAt: string | null;
  overdue: boolean;
  filedBy: string;
  steps: { name: string; status: string; attempts: number; lastError: string | null; doneAt: string | null }[];
  kept: { collection: string; rows: number; reason: string }[];
  items: string[];
  denialReason: string | null;
}

/** The items a request names: the purposes of a restriction, the coordinates of a correction. */
function itemsOf(detail: Record<string, unknown>): string[] {
  const list = detail.purposes ?? detail.coordinates;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

export function toDataSubjectRequest(row: DsrRequest, now = new Date()): DataSubjectRequestShape {
  const open = row.status === 'RECEIVED' || row.status === 'IN_PROGRESS';
  const kept = Array.isArray(row.detail.kept) ? (row.detail.kept as DataSubjectRequestShape['kept']) : [];
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subjectId,
    status: row.status,
    receivedAt: iso(row.receivedAt)!,
    dueAt: iso(row.dueAt)!,
    completedAt: iso(row.completedAt),
    overdue: open && row.dueAt.getTime() < now.getTime(),
    filedBy: row.filedByRole === 'candidate' ? 'SUBJECT' : row.filedByRole,
    steps: row.steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, lastError: s.lastError ?? null, doneAt: s.doneAt ?? null })),
    kept,
    items: itemsOf(row.detail),
    denialReason: row.denialReason,
  };
}
