// Subjects whose data retention must (or must not) remove, with their times set directly in the database.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { provisionRecords } from '../db/schema/audit.ts';
import { applications, employers, jobs } from '../db/schema/employers.ts';
import { adIdentifiers, surveyResponses, surveys } from '../db/schema/marketing.ts';
import { addresses, candidates, resumes, workHistory } from '../db/schema/users.ts';
import { setLegalHold } from '../ledger/holds.ts';
import { recordSubjectStanding } from '../ledger/subjects.ts';

const DAY = 86_400_000;

export interface RetentionCases {
  /** A CV received 400 days ago (two work-history entries), a cover letter of 400 days, provision records of 4 and 2 years. */
  old: string;
  /** A CV and a cover letter of 10 days. */
  fresh: string;
  /** Like `old` (CV, cover letter, a provision record of 4 years), under a legal hold. */
  held: string;
  /** Left the service (WITHDRAWN) with leftovers: its profile, an address, a CV, an application, an ad identifier, a survey answer. */
  erased: string;
  /** The values seeded, for scans (a CV text, a cover letter, …). */
  values: Record<string, string>;
}

/** The items retention should find among the cases: `owner collection subject rows rule anonymised`. */
export function expectedItems(c: RetentionCases): string[] {
  return [
    `users users.addresses ${c.erased} 1 DELETED_ACCOUNT false`,
    `users users.resumes ${c.erased} 1 DELETED_ACCOUNT false`,
    `users users.candidates ${c.erased} 1 DELETED_ACCOUNT true`,
    `users users.work_history ${c.old} 2 CV_ONE_YEAR false`,
    `users users.resumes ${c.old} 1 CV_ONE_YEAR false`,
    `audit privacy.provision_records ${c.old} 1 PROVISION_RECORD_THREE_YEARS false`,
    `employers employers.applications ${c.erased} 1 DELETED_ACCOUNT_APPLICATIONS false`,
    `employers employers.applications ${c.old} 1 COVER_LETTER_ONE_YEAR true`,
    `marketing marketing.ad_identifiers ${c.erased} 1 DELETED_ACCOUNT_MARKETING false`,
    `marketing marketing.survey_responses ${c.erased} 1 DELETED_ACCOUNT_MARKETING false`,
  ].sort();
}

/** An item as `expectedItems` writes it. */
export function itemLine(i: { owner: string; collection: string; subjectId: string | null; rows: number; rule: string; anonymised: boolean }): string {
  return `${i.owner} ${i.collection} ${i.subjectId} ${i.rows} ${i.rule} ${i.anonymised}`;
}

/** Seeds the four cases (with an employer, a job and a survey of their own) at `now`. */
export async function seedRetentionCases(db: Database, now = new Date()): Promise<RetentionCases> {
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const c = { old: randomUUID(), fresh: randomUUID(), held: randomUUID(), erased: randomUUID() };
  const tag = c.old.slice(0, 8);
  const values = {
    cv: `Retention CV ${tag}`,
    coverLetter: `Retention cover letter ${tag}`,
    street: `Retention street ${tag}`,
    adId: `retention-ad-${tag}`,
    answer: `Retention answer ${tag}`,
    name: `Retention Name ${tag}`,
  };
  const employerId = randomUUID();
  const jobId = randomUUID();
  const surveyId = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(employers).values({ id: employerId, name: `Retention employer ${tag}`, industry: 'IT', prefecture: '東京都', city: '千代田区' });
    await tx.insert(jobs).values({
      id: jobId,
      employerId,
      title: 'Engineer',
      description: 'A job',
      category: 'engineering',
      industry: 'IT',
      prefecture: '東京都',
      city: '千代田区',
      employmentType: 'FULL_TIME',
    });
    await tx.insert(surveys).values({ id: surveyId, title: 'Retention survey', questions: ['q1'], opensAt: ago(30) });
    for (const [key, id] of Object.entries(c)) {
      await tx.insert(candidates).values({
        id,
        fullName: `${values.name} ${key}`,
        fullNameKana: 'テスト',
        email: `retention-${key}-${id}@example.com`,
        phone: '090-0000-0000',
        createdAt: ago(800),
      });
    }
    await recordSubjectStanding(tx, [
      { subjectId: c.old, standing: 'ACTIVE' },
      { subjectId: c.fresh, standing: 'ACTIVE' },
      { subjectId: c.held, standing: 'ACTIVE' },
      { subjectId: c.erased, standing: 'WITHDRAWN' },
    ]);
    const cv = (candidateId: string, days: number) => ({ candidateId, summary: values.cv, skills: ['TypeScript'], receivedAt: ago(days), updatedAt: ago(days) });
    await tx.insert(resumes).values([cv(c.old, 400), cv(c.fresh, 10), cv(c.held, 400), cv(c.erased, 10)]);
    const work = (candidateId: string) => ({ id: randomUUID(), candidateId, company: `Retention company ${tag}`, title: 'Engineer', startedOn: '2015-04-01' });
    await tx.insert(workHistory).values([work(c.old), work(c.old), work(c.fresh), work(c.held)]);
    await tx.insert(addresses).values({ candidateId: c.erased, postalCode: '100-0001', prefecture: '東京都', city: '千代田区', street: values.street });
    const application = (candidateId: string, days: number) => ({ id: randomUUID(), jobId, candidateId, coverLetter: values.coverLetter, createdAt: ago(days), updatedAt: ago(days) });
    await tx.insert(applications).values([application(c.old, 400), application(c.fresh, 10), application(c.held, 400), application(c.erased, 10)]);
    await tx.insert(adIdentifiers).values({ id: randomUUID(), candidateId: c.erased, kind: 'COOKIE', value: values.adId });
    await tx.insert(surveyResponses).values({ id: randomUUID(), surveyId, candidateId: c.erased, answers: { q1: values.answer } });
    const record = (subjectId: string, days: number) => ({
      recordKey: `retention-${randomUUID()}`,
      providedOn: ago(days).toISOString().slice(0, 10),
      recipientKind: 'EMPLOYER' as const,
      recipientId: employerId,
      subjectId,
      items: ['Candidate.fullName'],
      categories: ['NAME'],
      basisKind: 'CONSENT' as const,
      requestId: `retention-${tag}`,
      firstProvidedAt: ago(days),
      lastProvidedAt: ago(days),
      provisionCount: 1,
    });
    await tx.insert(provisionRecords).values([record(c.old, 4 * 365 + 2), record(c.old, 2 * 365), record(c.held, 4 * 365 + 2)]);
    await setLegalHold(tx, { subjectId: c.held, reference: 'Tokyo District Court 2026 (wa) 1234', setBy: 'compliance-test' });
  });
  return { ...c, values };
}
