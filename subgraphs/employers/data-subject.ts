/**
 * The employers subgraph's side of the data-subject contract (see ../common/data-subject.ts): the subject's
 * applications. Erasure keeps each application for the employer only anonymised: the cover letter goes and the
 * candidate id is replaced by a fresh random id, so nothing links the record back to the person (the employer keeps
 * the fact that its job received an application, with its status and dates). Employers, jobs and every other
 * candidate's applications stay as they are.
 */
import { sql } from 'drizzle-orm';
import { applications } from '../../db/schema/employers.ts';
import { dataSubjectResolvers, exportSubjectTables, tableName, type DataSubjectHandlers, type SubjectTable } from '../common/data-subject.ts';

/** The employers tables that hold rows about a candidate. */
const SUBJECT_TABLES: readonly SubjectTable[] = [{ table: applications, subject: applications.candidateId, categories: ['CAREER'] }];

export const employersDataSubject: DataSubjectHandlers = {
  subgraph: 'employers',
  export: ({ db, subjectId }) => exportSubjectTables(db, SUBJECT_TABLES, subjectId),
  erase: ({ db, subjectId }) =>
    db.transaction(async (tx) => {
      // A new random id per row: the anonymised applications cannot even be grouped as one person's.
      const anonymised = await tx
        .update(applications)
        .set({ candidateId: sql`gen_random_uuid()`, coverLetter: null, updatedAt: new Date() })
        .where(sql`${applications.candidateId} = ${subjectId}::uuid`)
        .returning({ id: applications.id });
      const collection = tableName(applications);
      return {
        erased: [{ collection, action: 'ANONYMISED' as const, rows: anonymised.length }],
        kept:
          anonymised.length > 0
            ? [
                {
                  collection,
                  rows: anonymised.length,
                  reason:
                    'Kept for the employer only anonymised (its job, the status and dates of the application): no candidate id, no cover letter, no link back to the person.',
                },
              ]
            : [],
      };
    }),
};

export const employersDataSubjectResolvers = dataSubjectResolvers(employersDataSubject);
