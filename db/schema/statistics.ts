import { bigserial, index, integer, jsonb, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { privacySchema } from './privacy.ts';

/**
 * The analysts' privacy budgets: ε spent per owner per period, in thousandths of ε (directives/statistics/accountant.ts).
 * The owner is `analyst:<subject id>`, or `global` for the cap across all analysts. Written only by ledger/budget.ts,
 * with the rows locked (FOR UPDATE) in the transaction that releases.
 */
export const privacyBudgets = privacySchema.table(
  'privacy_budgets',
  {
    owner: text('owner').notNull(),
    period: text('period').notNull(),
    epsilonSpentMilli: integer('epsilon_spent_milli').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'privacy_budgets_pkey', columns: [t.owner, t.period] })],
);

/**
 * Every released statistics table: who asked, the query in canonical form, the ε charged, the period and the noisy
 * answer (never a true count). Append-only (a trigger refuses UPDATE and DELETE); the same query in the same period
 * is answered from here at no new cost.
 */
export const statisticsReleases = privacySchema.table(
  'statistics_releases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    period: text('period').notNull(),
    queryKey: text('query_key').notNull(),
    query: text('query').notNull(),
    analyst: text('analyst').notNull(),
    epsilonMilli: integer('epsilon_milli').notNull(),
    answer: jsonb('answer').notNull(),
    releasedAt: timestamp('released_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    unique('statistics_releases_period_query_key').on(t.period, t.queryKey),
    index('statistics_releases_released_at_idx').on(t.releasedAt, t.id),
  ],
);

