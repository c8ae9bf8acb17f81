/**
 * The employers subgraph's retention rules over its own schema (directives/retention.ts): the cover letter of an
 * application one year after it was submitted — the cover letter is the document received; the application row
 * (job, status, dates and the candidate's id, no text of theirs) stays as the employer's record and the candidate's
 * own `applications` — and every application of a candidate who left the service, at once. The runner
 * (ledger/retention.ts) skips subjects under a legal hold.
 */
import { sql } from 'drizzle-orm';
import { applications } from '../../db/schema/employers.ts';
import { pastPeriodSql, type RetentionTarget } from '../../ledger/retention.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';

const withdrawn = subjectHasStandingSql(applications.candidateId, 'WITHDRAWN');

export const employersRetentionTargets: readonly RetentionTarget[] = [
  { rule: 'DELETED_ACCOUNT_APPLICATIONS', table: applications, subject: applications.candidateId, due: () => withdrawn },
  {
    rule: 'COVER_LETTER_ONE_YEAR',
    table: applications,
    subject: applications.candidateId,
    due: (now) => sql`${applications.coverLetter} is not null and not ${withdrawn} and ${pastPeriodSql(applications.createdAt, 'COVER_LETTER_ONE_YEAR', now)}`,
    anonymise: sql`cover_letter = null, updated_at = now()`,
  },
];
