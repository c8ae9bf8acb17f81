/**
 * The users subgraph's retention rules over its own schema (directives/retention.ts): a CV one year after it was
 * received, and whatever is still held of a candidate who left the service. The CV is the summary and skills
 * (`users.resumes`) and the work history, which the graph serves as part of it (`Resume.workHistory`): both go
 * together, a year after the CV's `received_at` (replacing the CV restarts the period). The runner
 * (ledger/retention.ts) skips subjects under a legal hold.
 */
import { sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { addresses, candidates, residenceCards, resumes, workHistory } from '../../db/schema/users.ts';
import { pastPeriodSql, type RetentionTarget } from '../../ledger/retention.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';

const withdrawn = (subject: AnyPgColumn) => subjectHasStandingSql(subject, 'WITHDRAWN');

/** The e-mail of an erased candidate row, as SQL (see data-subject.ts `erasedEmail`). */
const ERASED_EMAIL = sql`'erased-' || ${sql.identifier('id')}::text || '@erased.invalid'`;

/** The candidate row still holds a personal value (it is not yet the anonymised tombstone erasure leaves). */
const stillPersonal = sql`(${candidates.email} <> ${ERASED_EMAIL} or ${candidates.fullName} <> '' or ${candidates.fullNameKana} <> ''
  or ${candidates.phone} is not null or ${candidates.birthDate} is not null or ${candidates.gender} is not null
  or cardinality(${candidates.desiredIndustries}) > 0 or cardinality(${candidates.desiredPrefectures}) > 0)`;

/** Deleted rows of a table about a candidate who left the service. */
function leftoverOf(table: RetentionTarget['table'], subject: AnyPgColumn): RetentionTarget {
  return { rule: 'DELETED_ACCOUNT', table, subject, due: () => withdrawn(subject) };
}

export const usersRetentionTargets: readonly RetentionTarget[] = [
  leftoverOf(addresses, addresses.candidateId),
  leftoverOf(residenceCards, residenceCards.candidateId),
  leftoverOf(workHistory, workHistory.candidateId),
  leftoverOf(resumes, resumes.candidateId),
  {
    rule: 'DELETED_ACCOUNT',
    table: candidates,
    subject: candidates.id,
    due: () => sql`${withdrawn(candidates.id)} and ${stillPersonal}`,
    anonymise: sql`full_name = '', full_name_kana = '', email = ${ERASED_EMAIL}, phone = null, birth_date = null, gender = null,
      desired_industries = '{}', desired_prefectures = '{}', updated_at = now()`,
  },
  // The work history before the CV it belongs to: its condition reads the CV's received_at.
  {
    rule: 'CV_ONE_YEAR',
    table: workHistory,
    subject: workHistory.candidateId,
    due: (now) =>
      sql`not ${withdrawn(workHistory.candidateId)} and exists (select 1 from ${resumes} where ${resumes.candidateId} = ${workHistory.candidateId} and ${pastPeriodSql(resumes.receivedAt, 'CV_ONE_YEAR', now)})`,
  },
  {
    rule: 'CV_ONE_YEAR',
    table: resumes,
    subject: resumes.candidateId,
    due: (now) => sql`not ${withdrawn(resumes.candidateId)} and ${pastPeriodSql(resumes.receivedAt, 'CV_ONE_YEAR', now)}`,
  },
];
