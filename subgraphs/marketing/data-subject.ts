/**
 * The marketing subgraph's side of the data-subject contract (see ../common/data-subject.ts): campaign deliveries,
 * advertising identifiers and survey responses. Erasure deletes them all; campaigns and surveys themselves are not
 * about anyone and stay.
 */
import { adIdentifiers, campaignRecipients, surveyResponses } from '../../db/schema/marketing.ts';
import { dataSubjectResolvers, deletingDataSubject, type SubjectTable } from '../common/data-subject.ts';

/** The marketing tables that hold rows about a candidate. */
const SUBJECT_TABLES: readonly SubjectTable[] = [
  { table: campaignRecipients, subject: campaignRecipients.candidateId, categories: ['BEHAVIOURAL'] },
  { table: adIdentifiers, subject: adIdentifiers.candidateId, categories: ['BEHAVIOURAL'] },
  { table: surveyResponses, subject: surveyResponses.candidateId, categories: ['SURVEY_ANSWERS'] },
];

export const marketingDataSubject = deletingDataSubject('marketing', SUBJECT_TABLES);

export const marketingDataSubjectResolvers = dataSubjectResolvers(marketingDataSubject);
