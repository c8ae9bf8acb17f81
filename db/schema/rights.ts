import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { privacySchema } from './privacy.ts';

/**
 * Data-subject rights (APPI Arts. 33–35): the requests and their deadlines, the restrictions of use they set, the
 * legal holds that stop retention, and the record of what retention deleted. Written only through the ledger's
 * modules (ledger/requests.ts, ledger/restrictions.ts, ledger/retention.ts); never a personal value.
 */

export const DSR_KINDS = ['EXPORT', 'CORRECTION', 'RESTRICTION', 'LIFT_RESTRICTION', 'ERASURE'] as const;
export type DsrKind = (typeof DSR_KINDS)[number];

/** A request's life: received, being carried out step by step, then completed or denied. */
export const DSR_STATUSES = ['RECEIVED', 'IN_PROGRESS', 'COMPLETED', 'DENIED'] as const;
export type DsrStatus = (typeof DSR_STATUSES)[number];

export const dsrKind = privacySchema.enum('dsr_kind', DSR_KINDS as unknown as [DsrKind, ...DsrKind[]]);
export const dsrStatus = privacySchema.enum('dsr_status', DSR_STATUSES as unknown as [DsrStatus, ...DsrStatus[]]);

/** One step of a request, e.g. one subgraph's erasure; `detail` says what was done or kept and why (never a value). */
export interface DsrStep {
  name: string;
  status: 'PENDING' | 'DONE' | 'FAILED';
  attempts: number;
  /** A stable error code of the last failed attempt (never a message with data). */
  lastError?: string;
  lastAttemptAt?: string;
  doneAt?: string;
  detail?: Record<string, unknown>;
}

/**
 * Every data-subject request: who it is about, who filed it (the subject, or staff after identity verification, with
 * the verification reference), when it was received and is due (received + 14 days: APPI Art. 39 lets a person sue two
 * weeks after the request reached the business), its steps and their status, and when it was completed.
 */
export const dsrRequests = privacySchema.table(
  'dsr_requests',
  {
    id: uuid('id').primaryKey(),
    kind: dsrKind('kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    filedBy: text('filed_by').notNull(),
    filedByRole: text('filed_by_role').notNull(),
    /** For a request filed by staff on the subject's behalf: the identity-verification reference. */
    verification: text('verification'),
    status: dsrStatus('status').notNull().default('RECEIVED'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date', precision: 3 }),
    steps: jsonb('steps').$type<DsrStep[]>().notNull().default(sql`'[]'::jsonb`),
    /** What the request asks (purposes to restrict, coordinates corrected, …): names, never values. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** Why a request was denied (a stable reason, never data). */
    denialReason: text('denial_reason'),
    /** When the gateway recorded the request in the access log. */
    loggedAt: timestamp('logged_at', { withTimezone: true, mode: 'date', precision: 3 }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('dsr_requests_subject_idx').on(t.subjectId, t.receivedAt),
    index('dsr_requests_open_idx').on(t.status, t.dueAt).where(sql`status in ('RECEIVED', 'IN_PROGRESS')`),
    index('dsr_requests_unlogged_idx').on(t.receivedAt).where(sql`logged_at is null`),
  ],
);

/**
 * Purposes a subject has restricted (APPI Art. 35 suspension of use): while a row stands, the subject's values are
 * withheld under that purpose as a withdrawn consent would be. Lifting a restriction deletes its row; the request
 * records both.
 */
export const restrictions = privacySchema.table(
  'restrictions',
  {
    subjectId: uuid('subject_id').notNull(),
    purpose: text('purpose').notNull(),
    requestId: uuid('request_id').notNull(),
    restrictedAt: timestamp('restricted_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'restrictions_pkey', columns: [t.subjectId, t.purpose] })],
);

/** A subject under legal hold (set by compliance with a reference): retention deletes nothing of theirs while it stands. */
export const legalHolds = privacySchema.table(
  'legal_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectId: uuid('subject_id').notNull(),
    reference: text('reference').notNull(),
    setBy: text('set_by').notNull(),
    setAt: timestamp('set_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    releasedBy: text('released_by'),
    releasedAt: timestamp('released_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [uniqueIndex('legal_holds_standing_key').on(t.subjectId).where(sql`released_at is null`)],
);

/**
 * What retention deleted (append-only): per run, collection, subject and rule, how many rows and why. A dry run
 * writes nothing here.
 */
export const retentionLog = privacySchema.table(
  'retention_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id').notNull(),
    ranAt: timestamp('ran_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    owner: text('owner').notNull(),
    collection: text('collection').notNull(),
    subjectId: uuid('subject_id'),
    rule: text('rule').notNull(),
    rows: integer('rows').notNull(),
    reason: text('reason').notNull(),
    /** True when the rows were anonymised rather than deleted. */
    anonymised: boolean('anonymised').notNull().default(false),
  },
  (t) => [
    index('retention_log_run_idx').on(t.runId),
    index('retention_log_subject_idx').on(t.subjectId),
    // The schedule's "when did this owner last sweep" reads the latest RUN row of an owner.
    index('retention_log_owner_rule_idx').on(t.owner, t.rule, t.ranAt),
  ],
);
