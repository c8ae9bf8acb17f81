import { bigint, bigserial, index, pgSchema, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/** The privacy ledger: consent events and the current consent state derived from them. */
export const privacySchema = pgSchema('privacy');

export const consentAction = privacySchema.enum('consent_action', ['GRANT', 'WITHDRAW']);
export const consentSource = privacySchema.enum('consent_source', [
  'PRIVACY_CENTER',
  'JOB_APPLICATION',
  'SIGN_UP',
  'SUPPORT',
  'IMPORT',
]);

/** Append-only: a trigger refuses UPDATE and DELETE (see the custom migration). */
export const consentEvents = privacySchema.table(
  'consent_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectId: uuid('subject_id').notNull(),
    purpose: text('purpose').notNull(),
    recipientId: uuid('recipient_id'),
    action: consentAction('action').notNull(),
    policyVersion: text('policy_version').notNull(),
    source: consentSource('source').notNull(),
    actor: text('actor').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('consent_events_subject_idx').on(t.subjectId, t.occurredAt)],
);

/** Current state per (subject, purpose, recipient); recipient null means "every employer". */
export const consents = privacySchema.table(
  'consents',
  {
    subjectId: uuid('subject_id').notNull(),
    purpose: text('purpose').notNull(),
    recipientId: uuid('recipient_id'),
    state: text('state', { enum: ['GRANTED', 'WITHDRAWN'] }).notNull(),
    policyVersion: text('policy_version').notNull(),
    source: consentSource('source').notNull(),
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    unique('consents_subject_purpose_recipient_key')
      .on(t.subjectId, t.purpose, t.recipientId)
      .nullsNotDistinct(),
    index('consents_purpose_recipient_idx').on(t.purpose, t.recipientId, t.subjectId),
  ],
);
