/**
 * Test helpers for the data-subject contract, read from the database's own catalogue (information_schema) so that
 * a table or column added later is covered without editing the tests.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { rowsOf } from './data-subject.ts';

/** The project's schemas, one per subgraph plus the consent ledger. */
export const PROJECT_SCHEMAS = ['users', 'employers', 'marketing', 'privacy'] as const;

/** The columns that name a data subject, wherever they appear. */
const SUBJECT_COLUMNS = ['candidate_id', 'subject_id'];

export interface SubjectTableRef {
  schema: string;
  table: string;
  column: string;
}

interface ColumnRef {
  schema: string;
  table: string;
  column: string;
  dataType: string;
}

const at = (t: { schema: string; table: string }): SQL => sql`${sql.identifier(t.schema)}.${sql.identifier(t.table)}`;
const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

async function columnsOf(db: Database, schemas: readonly string[]): Promise<ColumnRef[]> {
  const result = await db.execute(sql`
    select c.table_schema as schema, c.table_name as table, c.column_name as column, c.data_type as "dataType"
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where t.table_type = 'BASE TABLE' and c.table_schema = any(${`{${schemas.join(',')}}`}::text[])
    order by 1, 2, c.ordinal_position`);
  return rowsOf<ColumnRef>(result);
}

/**
 * Every table of `schemas` with a subject column (candidate_id, subject_id), plus `also` (tables that name their
 * subject otherwise, such as users.candidates by its id).
 */
export async function subjectTables(db: Database, schemas: readonly string[], also: SubjectTableRef[] = []): Promise<SubjectTableRef[]> {
  const found = (await columnsOf(db, schemas))
    .filter((c) => SUBJECT_COLUMNS.includes(c.column))
    .map(({ schema, table, column }) => ({ schema, table, column }));
  return [...also, ...found];
}

/** The subject's rows of one table, as JSON objects keyed by column name, in a stable order. */
export async function rowsAbout(db: Database, table: SubjectTableRef, subjectId: string): Promise<Record<string, unknown>[]> {
  const result = await db.execute(
    sql`select to_jsonb(t)::text as row from ${at(table)} as t where t.${sql.identifier(table.column)} = ${subjectId}::uuid order by 1`,
  );
  return rowsOf<{ row: string }>(result).map((r) => JSON.parse(r.row) as Record<string, unknown>);
}

/**
 * Every row of every table of `schemas`, as text, sorted; the subject's rows left out when `without` is given
 * (the subject tables are `subjects`).
 */
export async function snapshot(
  db: Database,
  schemas: readonly string[],
  without?: { subjectId: string; subjects: readonly SubjectTableRef[] },
): Promise<Record<string, string[]>> {
  const tables = new Map<string, { schema: string; table: string }>();
  for (const c of await columnsOf(db, schemas)) tables.set(key(c), { schema: c.schema, table: c.table });
  const out: Record<string, string[]> = {};
  for (const [name, table] of tables) {
    const subject = without?.subjects.find((s) => key(s) === name);
    const where = subject ? sql`where t.${sql.identifier(subject.column)} is distinct from ${without!.subjectId}::uuid` : sql``;
    const result = await db.execute(sql`select to_jsonb(t)::text as row from ${at(table)} as t ${where} order by 1`);
    out[name] = rowsOf<{ row: string }>(result).map((r) => r.row);
  }
  return out;
}

/**
 * Gives the subject's rows a distinctive value in every text, array and JSON column (so each personal column can be
 * traced), and returns those values with the subject's dates: everything an erasure must leave nowhere.
 */
export async function markSubject(db: Database, subjects: readonly SubjectTableRef[], subjectId: string): Promise<string[]> {
  const schemas = [...new Set(subjects.map((s) => s.schema))];
  const columns = await columnsOf(db, schemas);
  const values = new Set<string>();
  for (const subject of subjects) {
    for (const c of columns.filter((x) => key(x) === key(subject) && x.column !== subject.column)) {
      const marker = `marker ${subjectId.slice(-4)} ${c.table}.${c.column}`;
      const target = sql`update ${at(subject)} set ${sql.identifier(c.column)} =`;
      const where = sql`where ${sql.identifier(subject.column)} = ${subjectId}::uuid`;
      if (c.dataType === 'text' || c.dataType === 'character varying') {
        await db.execute(sql`${target} ${marker} ${where}`);
      } else if (c.dataType === 'ARRAY') {
        await db.execute(sql`${target} array[${marker}::text] ${where}`);
      } else if (c.dataType === 'jsonb' || c.dataType === 'json') {
        await db.execute(sql`${target} jsonb_build_object(${marker}::text, ${marker}::text) ${where}`);
      } else if (c.dataType === 'date') {
        // A date no fixture row has (the fixture's dates are shared between subjects).
        await db.execute(sql`${target} date '1900-01-01' + ${values.size}::int ${where}`);
        continue;
      } else {
        continue;
      }
      values.add(marker);
    }
    for (const row of await rowsAbout(db, subject, subjectId)) {
      for (const c of columns.filter((x) => key(x) === key(subject))) {
        const value = row[c.column];
        if (c.dataType === 'text' || c.dataType === 'character varying' || c.dataType === 'date') {
          if (typeof value === 'string' && value !== '') values.add(value);
        }
      }
    }
  }
  return [...values];
}

/**
 * Where in `schemas` any of `values` occurs: exactly as a text or date column, as an element of an array, or as a
 * string inside a JSON document.
 */
export async function findValues(db: Database, schemas: readonly string[], values: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const list = sql`${JSON.stringify(values)}::jsonb`;
  for (const c of await columnsOf(db, schemas)) {
    const column = sql`t.${sql.identifier(c.column)}`;
    let condition: SQL;
    if (['text', 'character varying', 'character', 'date'].includes(c.dataType)) condition = sql`${column}::text = v`;
    else if (c.dataType === 'ARRAY') condition = sql`v = any(${column}::text[])`;
    else if (c.dataType === 'jsonb' || c.dataType === 'json') condition = sql`position(to_json(v)::text in ${column}::text) > 0`;
    else continue;
    const result = await db.execute(
      sql`select v from jsonb_array_elements_text(${list}) as v where exists (select 1 from ${at(c)} as t where ${condition}) order by 1`,
    );
    for (const { v } of rowsOf<{ v: string }>(result)) hits.push(`${c.schema}.${c.table}.${c.column}: ${v}`);
  }
  return hits;
}
