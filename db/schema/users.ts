import { date, index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Candidates and everything they tell the portal about themselves. */
export const usersSchema = pgSchema('users');

export const candidates = usersSchema.table(
  'candidates',
  {
    id: uuid('id').primaryKey(),
    fullName: text('full_name').notNull(),
    fullNameKana: text('full_name_kana').notNull(),
    email: text('email').notNull().unique(),
    phone: text('phone'),
    birthDate: date('birth_date', { mode: 'string' }),
    gender: text('gender'),
    desiredIndustries: text('desired_industries').array().notNull().default([]),
    desiredPrefectures: text('desired_prefectures').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('candidates_created_at_idx').on(t.createdAt, t.id)],
);

export const addresses = usersSchema.table('addresses', {
  candidateId: uuid('candidate_id')
    .primaryKey()
    .references(() => candidates.id, { onDelete: 'cascade' }),
  postalCode: text('postal_code').notNull(),
  prefecture: text('prefecture').notNull(),
  city: text('city').notNull(),
  street: text('street').notNull(),
});

export const residenceCards = usersSchema.table('residence_cards', {
  candidateId: uuid('candidate_id')
    .primaryKey()
    .references(() => candidates.id, { onDelete: 'cascade' }),
  cardNumber: text('card_number').notNull().unique(),
  nationality: text('nationality').notNull(),
  statusOfResidence: text('status_of_residence').notNull(),
  expiresOn: date('expires_on', { mode: 'string' }).notNull(),
});

export const resumes = usersSchema.table('resumes', {
  candidateId: uuid('candidate_id')
    .primaryKey()
    .references(() => candidates.id, { onDelete: 'cascade' }),
  summary: text('summary').notNull(),
  skills: text('skills').array().notNull().default([]),
  /** When the current CV was received: retention deletes it a year later (replacing the CV restarts the period). */
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const workHistory = usersSchema.table(
  'work_history',
  {
    id: uuid('id').primaryKey(),
    candidateId: uuid('candidate_id')
      .notNull()
      .references(() => candidates.id, { onDelete: 'cascade' }),
    company: text('company').notNull(),
    title: text('title').notNull(),
    startedOn: date('started_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    description: text('description'),
  },
  (t) => [index('work_history_candidate_idx').on(t.candidateId, t.startedOn)],
);
