import { bigint, bigserial, index, pgSchema, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { SUBJECT_STANDING_CODES, type SubjectStanding } from '../../directives/standing.ts';

/**
 * The privacy ledger: consent events and the current consent state derived from them, and the registries the
 * consent rule reads: each data subject's standing and each recipient a consent may name.
 */
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

/** A data subject's standing with the portal (the policy: directives/standing.ts). */
export const subjectStanding = privacySchema.enum('subject_standing', SUBJECT_STANDING_CODES as [SubjectStanding, ...SubjectStanding[]]);

/**
 * Every data subject the portal holds, with their standing: the consent rule reads it (consent counts only while
 * the standing honours it). Written by the subgraph that owns the subject, through ledger/subjects.ts.
 */
export const subjects = privacySchema.table('subjects', {
  subjectId: uuid('subject_id').primaryKey(),
  standing: subjectStanding('standing').notNull().default('ACTIVE'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Every party a consent may name as its recipient (today: employers). Written by the subgraph that owns the
 * recipient, through ledger/subjects.ts; a grant to an unregistered recipient is refused.
 */
export const recipients = privacySchema.table('recipients', {
  recipientId: uuid('recipient_id').primaryKey(),
  kind: text('kind', { enum: ['EMPLOYER'] }).notNull(),
  registeredAt: timestamp('registered_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
