import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../ledger/store.ts';
import { createDatabase, type DatabaseHandle } from '../client.ts';
import { AlreadySeededError, DEMO_IDS, isSeeded, seedDatabase, seedIfEmpty, type SeedSummary } from './index.ts';

const CANDIDATES = 300;
const NOW = '2026-11-01T00:00:00Z';
const FINGERPRINTED_TABLES = [
  'users.candidates', 'users.addresses', 'users.residence_cards', 'users.resumes', 'users.work_history',
  'employers.employers', 'employers.jobs', 'employers.applications',
  'marketing.campaigns', 'marketing.campaign_recipients', 'marketing.ad_identifiers', 'marketing.surveys', 'marketing.survey_responses',
  'privacy.consent_events', 'privacy.consents',
] as const;

const handles: DatabaseHandle[] = [];

async function freshDatabase(): Promise<DatabaseHandle> {
  const handle = await createDatabase({ kind: 'pglite' });
  handles.push(handle);
  await handle.migrate();
  return handle;
}

async function rows<T>(handle: DatabaseHandle, query: string): Promise<T[]> {
  const result = await handle.pglite!.query<T>(query);
  return result.rows;
}

async function scalar(handle: DatabaseHandle, query: string): Promise<number> {
  const [row] = await rows<{ n: number | string }>(handle, query);
  return Number(row?.n);
}

/** One md5 per table over every row's text form, independent of insert order. */
async function fingerprint(handle: DatabaseHandle): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of FINGERPRINTED_TABLES) {
    const [row] = await rows<{ h: string }>(handle, `select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as h from ${table} t`);
    out[table] = row?.h ?? '';
  }
  return out;
}

describe('seedDatabase', () => {
  let db: DatabaseHandle;
  let summary: SeedSummary;

  beforeAll(async () => {
    db = await freshDatabase();
    expect(await isSeeded(db.db)).toBe(false);
    summary = await seedDatabase(db.db, { candidates: CANDIDATES });
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
  });

  it('writes the scaled counts it reports', async () => {
    expect(summary).toMatchObject({ candidates: CANDIDATES, employers: 60, jobs: 300, applications: 450, campaigns: 12 });
    expect(await isSeeded(db.db)).toBe(true);
    const counts = {
      candidates: 'users.candidates', employers: 'employers.employers', jobs: 'employers.jobs', applications: 'employers.applications',
      campaigns: 'marketing.campaigns', recipients: 'marketing.campaign_recipients', adIdentifiers: 'marketing.ad_identifiers',
      surveyResponses: 'marketing.survey_responses', consentEvents: 'privacy.consent_events',
    } as const;
    for (const [key, table] of Object.entries(counts)) {
      expect(await scalar(db, `select count(*) as n from ${table}`), table).toBe(summary[key as keyof typeof counts]);
    }
    expect(await scalar(db, 'select count(*) as n from marketing.surveys')).toBe(5);
    // Unique (job, candidate) pairs; applications never predate the job or the candidate.
    expect(await scalar(db, 'select count(*) - count(distinct (job_id, candidate_id)) as n from employers.applications')).toBe(0);
    expect(await scalar(db, `select count(*) as n from employers.applications a join employers.jobs j on j.id = a.job_id
      join users.candidates c on c.id = a.candidate_id where a.created_at < j.posted_at or a.created_at < c.created_at or a.created_at > '${NOW}'`)).toBe(0);
  });

  it('seedIfEmpty seeds an empty database like seedDatabase', async () => {
    const empty = await freshDatabase();
    const seeded = await seedIfEmpty(empty.db, { candidates: 1 });
    expect(seeded).toMatchObject({ candidates: 1 });
    expect(await scalar(empty, 'select count(*) as n from users.candidates')).toBe(1);
  });

  it('is deterministic for a seed and differs for another', async () => {
    const same = await freshDatabase();
    await seedDatabase(same.db, { candidates: CANDIDATES });
    const other = await freshDatabase();
    await seedDatabase(other.db, { candidates: CANDIDATES, seed: 7 });
    const [a, b, c] = await Promise.all([fingerprint(db), fingerprint(same), fingerprint(other)]);
    expect(b).toEqual(a);
    expect(c['users.candidates']).not.toBe(a['users.candidates']);
    expect(c['privacy.consent_events']).not.toBe(a['privacy.consent_events']);
    await Promise.all([same.close(), other.close()]);
  });

  it('works for a single candidate (the demo candidate)', async () => {
    const tiny = await freshDatabase();
    const result = await seedDatabase(tiny.db, { candidates: 1 });
    expect(result).toMatchObject({ candidates: 1, employers: 60, jobs: 300, applications: 3 });
    expect(await rows(tiny, 'select id from users.candidates')).toEqual([{ id: DEMO_IDS.candidate }]);
    await tiny.close();
  });

  it('gives about 10% of candidates a well-formed residence card', async () => {
    const cards = await rows<{ card_number: string }>(db, 'select card_number from users.residence_cards');
    expect(cards.length).toBeGreaterThanOrEqual(CANDIDATES * 0.05);
    expect(cards.length).toBeLessThanOrEqual(CANDIDATES * 0.16);
    for (const { card_number } of cards) expect(card_number).toMatch(/^[A-Z]{2}\d{8}[A-Z]{2}$/);
    const resumes = await scalar(db, 'select count(*) as n from users.resumes');
    expect(resumes / CANDIDATES).toBeGreaterThan(0.8);
  });

  it('contains the documented demo records', async () => {
    const c = DEMO_IDS.candidate;
    expect(await scalar(db, `select count(*) as n from users.residence_cards where candidate_id = '${c}'`)).toBe(1);
    expect(await scalar(db, `select count(*) as n from users.resumes where candidate_id = '${c}'`)).toBe(1);
    expect(await scalar(db, `select count(*) as n from users.addresses where candidate_id = '${c}'`)).toBe(1);
    expect(await scalar(db, `select count(*) as n from marketing.ad_identifiers where candidate_id = '${c}'`)).toBeGreaterThanOrEqual(1);
    expect(await scalar(db, `select count(*) as n from employers.applications where candidate_id = '${c}'`)).toBeGreaterThanOrEqual(2);
    expect(await scalar(db, `select count(*) as n from employers.applications where candidate_id = '${c}' and job_id = '${DEMO_IDS.job}'`)).toBe(1);
    expect(await scalar(db, `select count(*) as n from employers.applications a join employers.jobs j on j.id = a.job_id
      where a.candidate_id = '${c}' and j.employer_id = '${DEMO_IDS.otherEmployer}'`)).toBe(0);
    expect(await scalar(db, `select count(*) as n from privacy.consents where subject_id = '${c}' and purpose = 'MARKETING'
      and recipient_id is null and state = 'GRANTED' and expires_at is null`)).toBe(1);
    expect(await scalar(db, `select count(*) as n from marketing.campaign_recipients where campaign_id = '${DEMO_IDS.campaign}'
      and candidate_id in ('${c}', '${DEMO_IDS.noConsentCandidate}', '${DEMO_IDS.marketingWithdrawnCandidate}', '${DEMO_IDS.expiredConsentCandidate}')`)).toBe(4);
    expect(await scalar(db, `select count(*) as n from marketing.survey_responses where candidate_id = '${c}' and survey_id = '${DEMO_IDS.survey}'`)).toBe(1);

    expect(await scalar(db, `select count(*) as n from employers.employers where id in ('${DEMO_IDS.employer}', '${DEMO_IDS.otherEmployer}')`)).toBe(2);
    expect(await scalar(db, `select count(*) as n from employers.jobs where employer_id = '${DEMO_IDS.employer}'`)).toBeGreaterThanOrEqual(5);
    expect(await scalar(db, `select count(distinct a.candidate_id) as n from employers.applications a
      join employers.jobs j on j.id = a.job_id where j.employer_id = '${DEMO_IDS.employer}'`)).toBeGreaterThanOrEqual(10);
    // Visible to the demo employer only through an every-employer grant: live, not withdrawn for it, never applied there.
    expect(await scalar(db, `select count(*) as n from privacy.consents c where c.purpose = 'EMPLOYER_DISCLOSURE' and c.recipient_id is null
      and c.state = 'GRANTED' and (c.expires_at is null or c.expires_at > '${NOW}')
      and not exists (select 1 from privacy.consents w where w.subject_id = c.subject_id and w.purpose = c.purpose and w.recipient_id = '${DEMO_IDS.employer}')
      and not exists (select 1 from employers.applications a join employers.jobs j on j.id = a.job_id
        where a.candidate_id = c.subject_id and j.employer_id = '${DEMO_IDS.employer}')`)).toBeGreaterThanOrEqual(20);

    const state = (subject: string, recipient: string | null) => rows<{ state: string; expires_at: Date | null }>(db,
      `select state, expires_at from privacy.consents where subject_id = '${subject}' and purpose = 'EMPLOYER_DISCLOSURE'
       and recipient_id ${recipient ? `= '${recipient}'` : 'is null'}`);
    expect(await state(DEMO_IDS.openCandidate, null)).toEqual([{ state: 'GRANTED', expires_at: null }]);
    expect(await state(DEMO_IDS.withdrawnFromEmployerCandidate, null)).toEqual([{ state: 'GRANTED', expires_at: null }]);
    expect(await state(DEMO_IDS.withdrawnFromEmployerCandidate, DEMO_IDS.employer)).toEqual([{ state: 'WITHDRAWN', expires_at: null }]);
    expect(await scalar(db, `select count(*) as n from privacy.consent_events where subject_id = '${DEMO_IDS.noConsentCandidate}'`)).toBe(0);
    const [expired] = await state(DEMO_IDS.expiredConsentCandidate, null);
    expect(expired?.state).toBe('GRANTED');
    expect(expired?.expires_at?.getTime()).toBeLessThan(Date.parse(NOW));
    expect(await scalar(db, `select count(*) as n from privacy.consents where subject_id = '${DEMO_IDS.marketingWithdrawnCandidate}'
      and purpose = 'MARKETING' and state = 'WITHDRAWN'`)).toBe(1);
  });

  it('keeps the consent state consistent with the ledger', async () => {
    // Each state row points at the latest event for its key, and that event produced it.
    expect(await scalar(db, `select count(*) as n from privacy.consents c
      left join privacy.consent_events e on e.id = c.last_event_id
      where e.id is null or e.subject_id <> c.subject_id or e.purpose <> c.purpose
        or e.recipient_id is distinct from c.recipient_id
        or c.state <> case e.action when 'GRANT' then 'GRANTED' else 'WITHDRAWN' end
        or c.source <> e.source or c.policy_version <> e.policy_version
        or c.expires_at is distinct from e.expires_at or c.updated_at <> e.occurred_at
        or e.id <> (select max(x.id) from privacy.consent_events x where x.subject_id = c.subject_id
                    and x.purpose = c.purpose and x.recipient_id is not distinct from c.recipient_id)`)).toBe(0);
    expect(await scalar(db, `select count(*) as n from (select distinct subject_id, purpose, recipient_id from privacy.consent_events) k
      where not exists (select 1 from privacy.consents c where c.subject_id = k.subject_id and c.purpose = k.purpose
        and c.recipient_id is not distinct from k.recipient_id)`)).toBe(0);
    // Ledger ids follow time within each subject.
    expect(await scalar(db, `select count(*) as n from (select occurred_at < lag(occurred_at) over (partition by subject_id order by id) as back
      from privacy.consent_events) t where back`)).toBe(0);
    expect(await scalar(db, `select count(*) as n from privacy.consent_events where policy_version <> '2026-04'
      or actor <> case source when 'IMPORT' then 'seed' else subject_id::text end`)).toBe(0);
    // Nobody applies to an employer after withdrawing from it.
    expect(await scalar(db, `select count(*) as n from privacy.consents c join employers.jobs j on j.employer_id = c.recipient_id
      join employers.applications a on a.job_id = j.id and a.candidate_id = c.subject_id
      where c.state = 'WITHDRAWN' and a.created_at > c.updated_at`)).toBe(0);
    const purposes = await rows<{ purpose: string }>(db, 'select distinct purpose from privacy.consent_events order by 1');
    expect(purposes.map((p) => p.purpose)).toEqual(['ADVERTISING', 'EMPLOYER_DISCLOSURE', 'MARKETING', 'SURVEY']);
  });

  it('records an EMPLOYER_DISCLOSURE grant behind every application', async () => {
    expect(await scalar(db, `select count(*) as n from employers.applications a join employers.jobs j on j.id = a.job_id
      where not exists (select 1 from privacy.consent_events e where e.subject_id = a.candidate_id and e.purpose = 'EMPLOYER_DISCLOSURE'
        and e.action = 'GRANT' and (e.recipient_id = j.employer_id or e.recipient_id is null) and e.occurred_at <= a.created_at)`)).toBe(0);
  });

  it('refuses to seed twice and leaves the ledger sequence usable', async () => {
    await expect(seedDatabase(db.db, { candidates: 10 })).rejects.toThrow(AlreadySeededError);
    expect(await scalar(db, 'select count(*) as n from users.candidates')).toBe(CANDIDATES);
    const before = await fingerprint(db);
    expect(await seedIfEmpty(db.db, { candidates: 10 })).toBeNull();
    expect(await fingerprint(db)).toEqual(before);
    await expect(seedDatabase(db.db, { candidates: 0 })).rejects.toThrow(RangeError);
    const maxId = await scalar(db, 'select max(id) as n from privacy.consent_events');
    await recordConsent(db.db, {
      subjectId: DEMO_IDS.noConsentCandidate, purpose: 'SURVEY', recipientId: null, action: 'GRANT', source: 'PRIVACY_CENTER',
      actor: DEMO_IDS.noConsentCandidate, at: new Date(NOW),
    });
    expect(await scalar(db, 'select max(id) as n from privacy.consent_events')).toBe(maxId + 1);
  });
});
