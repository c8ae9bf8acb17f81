/**
 * The marketing subgraph's side of the data-subject contract (see ../common/data-subject.ts): campaign deliveries,
 * advertising identifiers and survey responses. Erasure deletes them all; campaigns and surveys themselves are not
 * about anyone and stay.
 */
import { adIdentifiers, campaignRecipients, surveyResponses } from '../../db/schema/marketing.ts';
import { dataSubjectResolvers, deleteSubjectRows, exportSubjectTables, type DataSubjectHandlers, type SubjectTable } from '../common/data-subject.ts';

/** The marketing tables that hold rows about a candidate. */
const SUBJECT_TABLES: readonly SubjectTable[] = [
  { table: campaignRecipients, subject: campaignRecipients.candidateId, categories: ['BEHAVIOURAL'] },
  { table: adIdentifiers, subject: adIdentifiers.candidateId, categories: ['BEHAVIOURAL'] },
  { table: surveyResponses, subject: surveyResponses.candidateId, categories: ['SURVEY_ANSWERS'] },
];

export const marketingDataSubject: DataSubjectHandlers = {
  subgraph: 'marketing',
  export: ({ db, subjectId }) => exportSubjectTables(db, SUBJECT_TABLES, subjectId),
  erase: ({ db, subjectId }) =>
    db.transaction(async (tx) => {
      const erased = [];
      for (const entry of SUBJECT_TABLES) erased.push(await deleteSubjectRows(tx, entry, subjectId));
      return { erased, kept: [] };
    }),
};

export const marketingDataSubjectResolvers = dataSubjectResolvers(marketingDataSubject);
