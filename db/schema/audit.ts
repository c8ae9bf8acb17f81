import { bigint, boolean, index, integer, jsonb, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { privacySchema } from './privacy.ts';

/**
 * The kinds of privacy event the access log holds: field access, statistics releases (with their ε), data-subject
 * requests and consent changes, all through the same writer and chain.
 */
export const AUDIT_EVENTS = ['FIELD_ACCESS', 'DATA_SUBJECT_REQUEST', 'CONSENT_CHANGE', 'STATISTICS_RELEASE'] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** How an operation that touched personal fields ended. */
export const AUDIT_OUTCOMES = ['RELEASED', 'PARTIAL', 'WITHHELD', 'REJECTED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE, see the custom migration). Each gateway process writes
 * its own hash chain (`chain_id`, gap-free `seq` from 1, `prev_hash`, `hash`; see audit/chain.ts). Rows name
 * coordinates, subject ids, the purpose and the legal-basis reference, never a value.
 */
export const accessLog = privacySchema.table(
  'access_log',
  {
    chainId: uuid('chain_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    event: text('event', { enum: AUDIT_EVENTS }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    requestId: text('request_id'),
    callerSub: text('caller_sub'),
    role: text('role'),
    org: text('org'),
    purpose: text('purpose'),
    legalBasis: text('legal_basis'),
    operationName: text('operation_name'),
    operationType: text('operation_type'),
    documentHash: text('document_hash'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    /** Coordinates whose values were released (masked ones included). */
    released: text('released').array().notNull(),
    /** `[{ coordinate, strategy }]`: values released only in masked form. */
    masked: jsonb('masked').$type<{ coordinate: string; strategy: string }[]>().notNull(),
    /** `{ coordinate: [reason, …] }`: withheld from the response or removed before planning, with the full reason. */
    withheld: jsonb('withheld').$type<Record<string, string[]>>().notNull(),
    /** The data subjects whose values were released. */
    subjects: text('subjects').array().notNull(),
    /** What an event kind adds (a statistics release's ε, a request's kind, …); never a personal value. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    primaryKey({ name: 'access_log_pkey', columns: [t.chainId, t.seq] }),
    index('access_log_request_idx').on(t.requestId),
    index('access_log_time_idx').on(t.occurredAt),
    index('access_log_subjects_idx').using('gin', t.subjects),
  ],
);

/**
 * Signed heads of the access-log chains (append-only): written at an interval and at shutdown (`final`), so that a
 * chain whose tail was cut is found short of its last checkpoint. `seq` 0 marks a chain's start.
 */
export const accessLogCheckpoints = privacySchema.table(
  'access_log_checkpoints',
  {
    chainId: uuid('chain_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    final: boolean('final').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    /** Compact JWS over `{ chainId, seq, hash, final, signedAt }`; its header names the key (`kid`). */
    signature: text('signature').notNull(),
  },
  // A chain's final checkpoint may name the same head as the last periodic one.
  (t) => [primaryKey({ name: 'access_log_checkpoints_pkey', columns: [t.chainId, t.seq, t.final] })],
);

/**
 * APPI Art. 29 records of third-party provisions, one bulk record per (day, recipient, subject, items, basis): the
 * first provision of a day inserts it, repeats raise `provision_count` and `last_provided_at` (the only columns a
 * trigger lets change). A record cannot be deleted before it is 3 years past its last provision.
 */
export const provisionRecords = privacySchema.table(
  'provision_records',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Digest of the columns that make a record one bulk record (see audit/provision.ts). */
    recordKey: text('record_key').notNull().unique('provision_records_record_key_key'),
    /** The day of the provision (Japan time). */
    providedOn: text('provided_on').notNull(),
    /** `EMPLOYER`: an employer under consent; `LEGAL_BASIS`: the party a legal-basis reference names. */
    recipientKind: text('recipient_kind', { enum: ['EMPLOYER', 'LEGAL_BASIS'] }).notNull(),
    /** The employer id (its name comes through the graph); null for a legal-basis provision. */
    recipientId: uuid('recipient_id'),
    subjectId: uuid('subject_id').notNull(),
    /** Coordinates provided, sorted. */
    items: text('items').array().notNull(),
    /** The categories of those coordinates, sorted. */
    categories: text('categories').array().notNull(),
    basisKind: text('basis_kind', { enum: ['CONSENT', 'LEGAL_BASIS'] }).notNull(),
    /** The consent ledger event that allowed the provision (`privacy.consent_events.id`). */
    consentEventId: bigint('consent_event_id', { mode: 'number' }),
    /** The legal-basis reference the request declared (`x-legal-basis`). */
    legalBasis: text('legal_basis'),
    /** The request that made the record. */
    requestId: text('request_id').notNull(),
    firstProvidedAt: timestamp('first_provided_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    lastProvidedAt: timestamp('last_provided_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    provisionCount: integer('provision_count').notNull(),
  },
  (t) => [
    index('provision_records_subject_idx').on(t.subjectId, t.providedOn, t.id),
    index('provision_records_recipient_idx').on(t.recipientId, t.providedOn),
  ],
);
