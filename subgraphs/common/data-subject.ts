/**
 * The data-subject contract every subgraph serves to the gateway: what it holds about a subject (export) and how it
 * erases or anonymises it (erase). The operations are `_dataSubjectExport` and `_dataSubjectErase`, hidden from the
 * public API (`@inaccessible`) and, like every subgraph operation, refused without the gateway's caller assertion.
 * Each subgraph implements `DataSubjectHandlers` over its own schema; this module holds the shared types, the
 * authorisation rule and the SQL helpers.
 */
import { getTableColumns, sql } from 'drizzle-orm';
import { getTableConfig, type AnyPgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Database } from '../../db/client.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import type { Category } from '../../directives/purposes.ts';
import type { SubgraphContext, SubgraphDefinition } from './context.ts';
import { badInput, forbidden, withoutLeaks } from './errors.ts';
import { isUuid } from './sql.ts';

/** One table's rows about the subject, as served (`rows` is JSON text). */
export interface DataSubjectCollection {
  /** Schema-qualified table name, e.g. `users.addresses`. */
  name: string;
  /** The privacy categories of the personal data the table holds; empty for records about processing (consents). */
  categories: Category[];
  rowCount: number;
  /** JSON text: an array of objects keyed by column name. */
  rows: string;
}

export interface DataSubjectExport {
  subjectId: string;
  subgraph: SubgraphDefinition['name'];
  collections: DataSubjectCollection[];
}

export type DataSubjectErasureAction = 'DELETED' | 'ANONYMISED' | 'WITHDRAWN';

export interface DataSubjectErasureStep {
  collection: string;
  action: DataSubjectErasureAction;
  rows: number;
}

export interface DataSubjectRetention {
  collection: string;
  rows: number;
  reason: string;
}

export interface DataSubjectErasure {
  subjectId: string;
  subgraph: SubgraphDefinition['name'];
  erased: DataSubjectErasureStep[];
  kept: DataSubjectRetention[];
}

/** Who asks, for which (validated, lower-case) subject, on which database. */
export interface DataSubjectRequest {
  subjectId: string;
  caller: BoundCaller;
  db: Database;
}

/** What a subgraph implements; `erase` runs in one transaction of its own and touches only the subgraph's schema. */
export interface DataSubjectHandlers {
  subgraph: SubgraphDefinition['name'];
  export(request: DataSubjectRequest): Promise<DataSubjectCollection[]>;
  erase(request: DataSubjectRequest): Promise<Pick<DataSubjectErasure, 'erased' | 'kept'>>;
}

/**
 * Checks a data-subject request and returns the subject id in lower case: the subject itself (a candidate acting
 * for SERVICE_PROVISION) or compliance; everyone else FORBIDDEN; a malformed id BAD_USER_INPUT.
 */
export function authorizeDataSubjectRequest(caller: BoundCaller, subjectId: unknown): string {
  if (!isUuid(subjectId)) throw badInput('subjectId must be a UUID.');
  const id = subjectId.toLowerCase();
  const isSubject = caller.role === 'candidate' && caller.purpose === 'SERVICE_PROVISION' && caller.sub.toLowerCase() === id;
  if (!isSubject && caller.role !== 'compliance') {
    throw forbidden('Only the data subject or compliance may make a data-subject request.');
  }
  return id;
}

/**
 * The two root resolvers of the contract, for a subgraph's resolver map.
 * @example Query: { ...queries, _dataSubjectExport: dataSubject.Query._dataSubjectExport }
 */
export function dataSubjectResolvers(handlers: DataSubjectHandlers) {
  return {
    Query: {
      _dataSubjectExport: async (_parent: unknown, args: { subjectId: unknown }, ctx: SubgraphContext): Promise<DataSubjectExport> => {
        const subjectId = authorizeDataSubjectRequest(ctx.caller, args.subjectId);
        const collections = await withoutLeaks('export the data subject\'s data', () =>
          handlers.export({ subjectId, caller: ctx.caller, db: ctx.db }),
        );
        return { subjectId, subgraph: handlers.subgraph, collections };
      },
    },
    Mutation: {
      _dataSubjectErase: async (_parent: unknown, args: { subjectId: unknown }, ctx: SubgraphContext): Promise<DataSubjectErasure> => {
        const subjectId = authorizeDataSubjectRequest(ctx.caller, args.subjectId);
        const result = await withoutLeaks('erase the data subject\'s data', () =>
          handlers.erase({ subjectId, caller: ctx.caller, db: ctx.db }),
        );
        return { subjectId, subgraph: handlers.subgraph, ...result };
      },
    },
  } satisfies GraphQLResolverMap<SubgraphContext>;
}

/** A table of the subgraph's own schema that holds rows about data subjects, and the column naming the subject. */
export interface SubjectTable {
  table: PgTable;
  subject: AnyPgColumn;
  categories: Category[];
}

type Executor = Pick<Database, 'execute'>;

/** The rows of a raw statement, whichever driver ran it (postgres.js returns an array, PGlite an object with `rows`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** `schema.table` of a Drizzle table. */
export function tableName(table: PgTable): string {
  const { schema, name } = getTableConfig(table);
  return `${schema ?? 'public'}.${name}`;
}

/**
 * Every row of `table` about the subject, each as the database holds it (every column, keyed by column name),
 * ordered so that two reads of the same rows give the same text.
 */
export async function subjectRows(db: Executor, { table, subject }: Pick<SubjectTable, 'table' | 'subject'>, subjectId: string): Promise<Record<string, unknown>[]> {
  const result = await db.execute(
    sql`select to_jsonb(t)::text as row from ${table} as t where t.${sql.identifier(subject.name)} = ${subjectId}::uuid order by 1`,
  );
  return rowsOf<{ row: string }>(result).map((r) => JSON.parse(r.row) as Record<string, unknown>);
}

/** Exports each table's rows about the subject. */
export async function exportSubjectTables(db: Executor, tables: readonly SubjectTable[], subjectId: string): Promise<DataSubjectCollection[]> {
  const collections: DataSubjectCollection[] = [];
  for (const entry of tables) {
    collections.push(collection(tableName(entry.table), entry.categories, await subjectRows(db, entry, subjectId)));
  }
  return collections;
}

/** A collection from rows already read (Drizzle rows are re-keyed by column name). */
export function collection(name: string, categories: Category[], rows: readonly Record<string, unknown>[]): DataSubjectCollection {
  return { name, categories, rowCount: rows.length, rows: JSON.stringify(rows) };
}

/** A Drizzle row of `table` keyed by the database's column names, as every exported row is. */
export function byColumnName(table: PgTable, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [property, column] of Object.entries(getTableColumns(table))) {
    const value = row[property];
    out[column.name] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return out;
}

/** Deletes every row of `table` about the subject; the erasure step says how many went. */
export async function deleteSubjectRows(
  tx: Pick<Database, 'delete'>,
  { table, subject }: Pick<SubjectTable, 'table' | 'subject'>,
  subjectId: string,
): Promise<DataSubjectErasureStep> {
  const deleted = await tx.delete(table).where(sql`${subject} = ${subjectId}::uuid`).returning({ subject });
  return { collection: tableName(table), action: 'DELETED', rows: deleted.length };
}

/**
 * The contract of a subgraph whose rows about a subject may all go: export every table, erase by deleting the
 * subject's rows of each, in one transaction, keeping nothing.
 * @example export const marketingDataSubject = deletingDataSubject('marketing', [{ table: adIdentifiers, subject: adIdentifiers.candidateId, categories: ['BEHAVIOURAL'] }]);
 */
export function deletingDataSubject(subgraph: DataSubjectHandlers['subgraph'], tables: readonly SubjectTable[]): DataSubjectHandlers {
  return {
    subgraph,
    export: ({ db, subjectId }) => exportSubjectTables(db, tables, subjectId),
    erase: ({ db, subjectId }) =>
      db.transaction(async (tx) => {
        const erased = [];
        for (const entry of tables) erased.push(await deleteSubjectRows(tx, entry, subjectId));
        return { erased, kept: [] };
      }),
  };
}
