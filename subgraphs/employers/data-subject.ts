/**
 * The employers subgraph's side of the data-subject contract (see ../common/data-subject.ts): the subject's
 * applications. Erasure deletes them, cover letters and the link to the person with them; employers, jobs and every
 * other candidate's applications stay as they are.
 */
import { applications } from '../../db/schema/employers.ts';
import { dataSubjectResolvers, deletingDataSubject, type SubjectTable } from '../common/data-subject.ts';

/** The employers tables that hold rows about a candidate. */
const SUBJECT_TABLES: readonly SubjectTable[] = [{ table: applications, subject: applications.candidateId, categories: ['CAREER'] }];

export const employersDataSubject = deletingDataSubject('employers', SUBJECT_TABLES);

export const employersDataSubjectResolvers = dataSubjectResolvers(employersDataSubject);
