import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { accessLog, provisionRecords } from '../db/schema/audit.ts';

/** A page position: the sort key and id of the last row of the previous page. */
export interface ReadCursor {
  key: string;
  id: string;
}

export type ProvisionRecordRow = typeof provisionRecords.$inferSelect;
export type AccessLogRow = typeof accessLog.$inferSelect;

export interface ProvisionRecordFilter {
  subjectId?: string;
  recipientId?: string;
  recipientKinds?: readonly ('EMPLOYER' | 'LEGAL_BASIS')[];
  /** Japan days, ISO `YYYY-MM-DD`, inclusive from, exclusive to. */
  fromDay?: string;
  toDay?: string;
}

/**
 * Provision records, newest day first (then newest record), `limit + 1` rows from after `cursor` (see
 * subgraphs/common/pagination.ts `connection`); the position of a row is `provisionRecordPosition`.
 */
export async function readProvisionRecords(db: Database, filter: ProvisionRecordFilter, limit: number, cursor: ReadCursor | null): Promise<ProvisionRecordRow[]> {
  const where: (SQL | undefined)[] = [
    filter.subjectId ? eq(provisionRecords.subjectId, filter.subjectId) : undefined,
    filter.recipientId ? eq(provisionRecords.recipientId, filter.recipientId) : undefined,
    filter.recipientKinds ? inArray(provisionRecords.recipientKind, [...filter.recipientKinds]) : undefined,
    filter.fromDay ? gte(provisionRecords.providedOn, filter.fromDay) : undefined,
    filter.toDay ? lt(provisionRecords.providedOn, filter.toDay) : undefined,
    cursor ? sql`(${provisionRecords.providedOn}, ${provisionRecords.id}) < (${cursor.key}, ${Number(cursor.id)})` : undefined,
  ];
  return db
    .select()
    .from(provisionRecords)
    .where(and(...where))
    .orderBy(desc(provisionRecords.providedOn), desc(provisionRecords.id))
    .limit(limit + 1);
}

export function provisionRecordPosition(row: ProvisionRecordRow): ReadCursor {
  return { key: row.providedOn, id: String(row.id) };
}

export interface AccessLogFilter {
  subjectId?: string;
  callerSub?: string;
  purpose?: string;
  from?: Date;
  to?: Date;
}

/** Access-log rows, newest first, `limit + 1` from after `cursor`; the position of a row is `accessLogPosition`. */
export async function readAccessLog(db: Database, filter: AccessLogFilter, limit: number, cursor: ReadCursor | null): Promise<AccessLogRow[]> {
  const [chainId, seq] = cursor ? cursor.id.split('/') : [];
  const where: (SQL | undefined)[] = [
    filter.subjectId ? sql`${accessLog.subjects} @> array[${filter.subjectId}]::text[]` : undefined,
    filter.callerSub ? eq(accessLog.callerSub, filter.callerSub) : undefined,
    filter.purpose ? eq(accessLog.purpose, filter.purpose) : undefined,
    filter.from ? gte(accessLog.occurredAt, filter.from) : undefined,
    filter.to ? lt(accessLog.occurredAt, filter.to) : undefined,
    cursor ? sql`(${accessLog.occurredAt}, ${accessLog.chainId}, ${accessLog.seq}) < (${cursor.key}::timestamptz, ${chainId}::uuid, ${Number(seq)})` : undefined,
  ];
  return db
    .select()
    .from(accessLog)
    .where(and(...where))
    .orderBy(desc(accessLog.occurredAt), desc(accessLog.chainId), desc(accessLog.seq))
    .limit(limit + 1);
}

export function accessLogPosition(row: AccessLogRow): ReadCursor {
  return { key: row.occurredAt.toISOString(), id: `${row.chainId}/${row.seq}` };
}

/** Every provision record about a subject, oldest first (the data-subject export). */
export async function readSubjectProvisionRecords(db: Pick<Database, 'select'>, subjectId: string): Promise<ProvisionRecordRow[]> {
  return db.select().from(provisionRecords).where(eq(provisionRecords.subjectId, subjectId)).orderBy(provisionRecords.id);
}
