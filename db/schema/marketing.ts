import { index, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Campaigns, surveys and advertising identifiers. */
export const marketingSchema = pgSchema('marketing');

export const campaignChannel = marketingSchema.enum('campaign_channel', ['EMAIL', 'POST', 'PHONE']);
export const campaignStatus = marketingSchema.enum('campaign_status', ['DRAFT', 'SCHEDULED', 'SENT']);
export const adIdentifierKind = marketingSchema.enum('ad_identifier_kind', ['COOKIE', 'IDFA', 'GAID']);

export const campaigns = marketingSchema.table('campaigns', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  channel: campaignChannel('channel').notNull(),
  status: campaignStatus('status').notNull().default('DRAFT'),
  targetIndustry: text('target_industry'),
  targetPrefecture: text('target_prefecture'),
  startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const campaignRecipients = marketingSchema.table(
  'campaign_recipients',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    // The candidate belongs to the users subgraph: no foreign key crosses two subgraph schemas, and removing a
    // candidate's rows here is this subgraph's own data-subject erasure, never a cascade from another schema.
    candidateId: uuid('candidate_id').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    openedAt: timestamp('opened_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.candidateId] })],
);

export const adIdentifiers = marketingSchema.table(
  'ad_identifiers',
  {
    id: uuid('id').primaryKey(),
    // The candidate belongs to the users subgraph: no foreign key crosses two subgraph schemas, and removing a
    // candidate's rows here is this subgraph's own data-subject erasure, never a cascade from another schema.
    candidateId: uuid('candidate_id').notNull(),
    kind: adIdentifierKind('kind').notNull(),
    value: text('value').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('ad_identifiers_candidate_idx').on(t.candidateId)],
);

export const surveys = marketingSchema.table('surveys', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  questions: jsonb('questions').$type<string[]>().notNull(),
  opensAt: timestamp('opens_at', { withTimezone: true, mode: 'date' }).notNull(),
  closesAt: timestamp('closes_at', { withTimezone: true, mode: 'date' }),
});

export const surveyResponses = marketingSchema.table(
  'survey_responses',
  {
    id: uuid('id').primaryKey(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    // The candidate belongs to the users subgraph: no foreign key crosses two subgraph schemas, and removing a
    // candidate's rows here is this subgraph's own data-subject erasure, never a cascade from another schema.
    candidateId: uuid('candidate_id').notNull(),
    answers: jsonb('answers').$type<Record<string, string>>().notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('survey_responses_candidate_idx').on(t.candidateId)],
);
