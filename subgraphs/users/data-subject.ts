/**
 * The users subgraph's side of the data-subject contract (see ../common/data-subject.ts): the candidate row, its
 * address, residence card, CV and work history, and the subject's consent records (read and changed through the
 * consent ledger's module only).
 *
 * Erasure keeps the candidate row as an anonymised tombstone (every personal value removed; the subject's standing
 * becomes WITHDRAWN in the ledger's registry) rather
 * than deleting it: the id is what the append-only consent ledger, kept as evidence, and other subgraphs' records
 * refer to, and a tombstone makes a repeated erasure recognisable and harmless.
 */
import { and, eq, ne } from 'drizzle-orm';
import { readSubjectProvisionRecords } from '../../audit/read.ts';
import { provisionRecords } from '../../db/schema/audit.ts';
import { consentEvents, consents, subjects } from '../../db/schema/privacy.ts';
import { addresses, candidates, residenceCards, resumes, workHistory } from '../../db/schema/users.ts';
import type { ConsentPurpose } from '../../directives/purposes.ts';
import { applyConsentChange, readSubjectConsentRecords } from '../../ledger/store.ts';
import { readSubjectRecord, readSubjectStanding, recordSubjectStanding } from '../../ledger/subjects.ts';
import { readSubjectRequests, readSubjectRestrictions } from '../../ledger/requests.ts';
import { dsrRequests, restrictions } from '../../db/schema/rights.ts';
import {
  byColumnName,
  collection,
  dataSubjectResolvers,
  deleteSubjectRows,
  exportSubjectTables,
  tableName,
  type DataSubjectErasureStep,
  type DataSubjectHandlers,
  type DataSubjectRetention,
  type SubjectTable,
} from '../common/data-subject.ts';

/** The users tables that hold rows about a candidate, the candidate row first. */
const SUBJECT_TABLES: readonly SubjectTable[] = [
  { table: candidates, subject: candidates.id, categories: ['NAME', 'CONTACT', 'BIRTH_DATE', 'PREFERENCES'] },
  { table: addresses, subject: addresses.candidateId, categories: ['ADDRESS'] },
  { table: residenceCards, subject: residenceCards.candidateId, categories: ['IDENTIFICATION_CODE', 'RESIDENCE_STATUS'] },
  { table: resumes, subject: resumes.candidateId, categories: ['CAREER'] },
  { table: workHistory, subject: workHistory.candidateId, categories: ['CAREER'] },
];

/** The unique, non-personal e-mail an erased candidate row keeps (the column is unique and required). */
export function erasedEmail(subjectId: string): string {
  return `erased-${subjectId}@erased.invalid`;
}


export const usersDataSubject: DataSubjectHandlers = {
  subgraph: 'users',

  async export({ db, subjectId }) {
    return db.transaction(async (tx) => {
      const collections = await exportSubjectTables(tx, SUBJECT_TABLES, subjectId);
      const { current, history } = await readSubjectConsentRecords(tx, subjectId);
      collections.push(
        collection(tableName(consents), [], current.map((row) => byColumnName(consents, row))),
        collection(tableName(consentEvents), [], history.map((row) => byColumnName(consentEvents, row))),
      );
      const registration = await readSubjectRecord(tx, subjectId);
      collections.push(collection(tableName(subjects), [], registration ? [byColumnName(subjects, registration)] : []));
      // Who received the subject's data (APPI Art. 29 records), read through the audit module.
      const provisions = await readSubjectProvisionRecords(tx, subjectId);
      collections.push(collection(tableName(provisionRecords), ['ACCESS_RECORDS'], provisions.map((row) => byColumnName(provisionRecords, row))));
      // The subject's own requests and the purposes they restricted, read through the ledger's module.
      const requests = await readSubjectRequests(tx, subjectId);
      collections.push(collection(tableName(dsrRequests), [], requests.map((row) => byColumnName(dsrRequests, row))));
      const restricted = await readSubjectRestrictions(tx, subjectId);
      collections.push(collection(tableName(restrictions), [], restricted.map((row) => byColumnName(restrictions, row))));
      return collections;
    });
  },

  async erase({ db, subjectId, caller }) {
    return db.transaction(async (tx) => {
      // Serialises concurrent erasures of one candidate.
      const [candidate] = await tx.select({ id: candidates.id }).from(candidates).where(eq(candidates.id, subjectId)).for('update');
      const erased: DataSubjectErasureStep[] = [];

      // Every grant still standing is withdrawn through the ledger, per-employer grants before those for every employer
      // (withdrawing one for every employer also ends the per-employer grants, which would then be withdrawn twice).
      const { current } = await readSubjectConsentRecords(tx, subjectId);
      const granted = current
        .filter((row) => row.state === 'GRANTED')
        .sort((a, b) => Number(a.recipientId === null) - Number(b.recipientId === null));
      for (const grant of granted) {
        await applyConsentChange(tx as unknown as Parameters<typeof applyConsentChange>[0], {
          subjectId,
          purpose: grant.purpose as ConsentPurpose,
          recipientId: grant.recipientId,
          action: 'WITHDRAW',
          source: caller.role === 'candidate' ? 'PRIVACY_CENTER' : 'SUPPORT',
          actor: caller.sub,
        });
      }
      erased.push({ collection: tableName(consents), action: 'WITHDRAWN', rows: granted.length });

      for (const entry of SUBJECT_TABLES.slice(1)) erased.push(await deleteSubjectRows(tx, entry, subjectId));

      const anonymised = await tx
        .update(candidates)
        .set({
          fullName: '',
          fullNameKana: '',
          email: erasedEmail(subjectId),
          phone: null,
          birthDate: null,
          gender: null,
          desiredIndustries: [],
          desiredPrefectures: [],
          updatedAt: new Date(),
        })
        .where(and(eq(candidates.id, subjectId), ne(candidates.email, erasedEmail(subjectId))))
        .returning({ id: candidates.id });
      erased.unshift({ collection: tableName(candidates), action: 'ANONYMISED', rows: anonymised.length });
      // The subject's standing becomes WITHDRAWN in the ledger's registry: no consent of theirs counts any more.
      const standing = await readSubjectStanding(tx, subjectId, { lock: true });
      const leaves = standing !== null && standing !== 'WITHDRAWN';
      if (leaves) await recordSubjectStanding(tx, [{ subjectId, standing: 'WITHDRAWN' }]);
      erased.splice(1, 0, { collection: tableName(subjects), action: 'WITHDRAWN', rows: leaves ? 1 : 0 });

      const after = await readSubjectConsentRecords(tx, subjectId);
      const kept: DataSubjectRetention[] = [];
      if (candidate) {
        kept.push({
          collection: tableName(candidates),
          rows: 1,
          reason:
            'Anonymised tombstone: only the id and the registration and erasure times remain (the standing WITHDRAWN is kept in the subject registry of the ledger), so the consent ledger and other records can be matched to a withdrawn account.',
        });
      }
      if (standing !== null) {
        kept.push({
          collection: tableName(subjects),
          rows: 1,
          reason: 'The subject stays registered with the standing WITHDRAWN, so no consent of theirs counts again and the kept records can be matched to a withdrawn account.',
        });
      }
      if (after.history.length > 0) {
        kept.push({
          collection: tableName(consentEvents),
          rows: after.history.length,
          reason: 'The append-only consent ledger is kept as evidence of what the subject consented to, and when it was withdrawn.',
        });
      }
      const provisions = await readSubjectProvisionRecords(tx, subjectId);
      if (provisions.length > 0) {
        kept.push({
          collection: tableName(provisionRecords),
          rows: provisions.length,
          reason: 'Records of provisions to third parties are kept 3 years from the last provision (APPI Art. 29, Enforcement Rules Art. 21); the retention job deletes them after.',
        });
      }
      if (after.current.length > 0) {
        kept.push({
          collection: tableName(consents),
          rows: after.current.length,
          reason: 'The current consent state derived from the ledger; every grant is withdrawn.',
        });
      }
      return { erased, kept };
    });
  },
};

export const usersDataSubjectResolvers = dataSubjectResolvers(usersDataSubject);
