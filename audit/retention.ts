/**
 * The retention rule of the provision records (APPI Art. 29), owned by the audit module: a record goes three years
 * after its last provision. The database refuses deleting a younger one (migration 0005), so the condition is also
 * the trigger's own, on the database's clock. Run by the users subgraph, which serves the records.
 */
import { sql } from 'drizzle-orm';
import { provisionRecords } from '../db/schema/audit.ts';
import { pastPeriodSql, type RetentionTarget } from '../ledger/retention.ts';

export const provisionRecordRetentionTargets: readonly RetentionTarget[] = [
  {
    rule: 'PROVISION_RECORD_THREE_YEARS',
    table: provisionRecords,
    subject: provisionRecords.subjectId,
    due: (now) => sql`${pastPeriodSql(provisionRecords.lastProvidedAt, 'PROVISION_RECORD_THREE_YEARS', now)} and ${pastPeriodSql(provisionRecords.lastProvidedAt, 'PROVISION_RECORD_THREE_YEARS', sql`now()`)}`,
  },
];
