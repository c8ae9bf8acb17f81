/**
 * The marketing subgraph's retention rule over its own schema (directives/retention.ts): the campaign deliveries,
 * advertising identifiers and survey answers of a candidate who left the service, at once. The runner
 * (ledger/retention.ts) skips subjects under a legal hold.
 */
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { adIdentifiers, campaignRecipients, surveyResponses } from '../../db/schema/marketing.ts';
import type { RetentionTarget } from '../../ledger/retention.ts';
import { subjectHasStandingSql } from '../../ledger/subjects.ts';

function leftoverOf(table: RetentionTarget['table'], subject: AnyPgColumn): RetentionTarget {
  return { rule: 'DELETED_ACCOUNT_MARKETING', table, subject, due: () => subjectHasStandingSql(subject, 'WITHDRAWN') };
}

export const marketingRetentionTargets: readonly RetentionTarget[] = [
  leftoverOf(campaignRecipients, campaignRecipients.candidateId),
  leftoverOf(adIdentifiers, adIdentifiers.candidateId),
  leftoverOf(surveyResponses, surveyResponses.candidateId),
];
