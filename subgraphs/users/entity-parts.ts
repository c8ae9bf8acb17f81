/**
 * What an entity fetch of candidates reads, from what the operation selects:
 * - the one-to-one parts (address, residence card, résumé) it selects come in the candidates' own statement, so a
 *   page costs the database one statement, not one per part;
 * - when it selects only light fields (names, contact, birth date, parts, consents), the statement reads only the
 *   light columns: not the arrays and timestamps the driver would decode for nothing.
 * Only shortcuts: a part read here is the row its own loader would read, a part not seen in the selection is still
 * read by its own loader when resolved, and any other selected field (or one not known here) reads every column.
 */
import { eq, getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { addresses, candidates, residenceCards, resumes } from '../../db/schema/users.ts';
import type { Database } from '../../db/client.ts';
import { idsIn, preparedByIds } from '../common/sql.ts';

/** The one-to-one parts, by the `Candidate` field that resolves them; each table is keyed by `candidate_id`. */
const CANDIDATE_PARTS = { address: addresses, residenceCard: residenceCards, resume: resumes } as const;
export type CandidatePart = keyof typeof CANDIDATE_PARTS;
const PART_NAMES = Object.keys(CANDIDATE_PARTS) as CandidatePart[];

/**
 * Candidate fields that need no candidate column but `id` (parts, consents: each resolved by id), and those that
 * read one light column. A selection of these only reads `LIGHT_COLUMNS`; any other field reads every column.
 */
const NEEDS_ID_ONLY: ReadonlySet<string> = new Set(['__typename', 'id', ...Object.keys(CANDIDATE_PARTS), 'consents', 'consentHistory']);
const LIGHT_FIELDS: ReadonlySet<string> = new Set(['fullName', 'fullNameKana', 'email', 'phone', 'birthDate']);
const LIGHT_COLUMNS = ['id', ...LIGHT_FIELDS] as const;

/** What an entity fetch of candidates selects: its parts, in a fixed order, and whether light columns suffice. */
export interface CandidateSelection {
  parts: readonly CandidatePart[];
  light: boolean;
  /** Names the combination, once: its prepared statement and its per-request loader. */
  key: string;
}

function selectionOf(parts: readonly CandidatePart[], light: boolean): CandidateSelection {
  return Object.freeze({ parts: Object.freeze([...parts]), light, key: `${light ? 'light' : 'all'}_${parts.join('_')}` });
}

/** Every column, no part: what a reference whose selection is not known reads. */
export const EVERYTHING: CandidateSelection = selectionOf([], false);
const selected = new WeakMap<FieldNode, CandidateSelection>();

/**
 * What is selected on `Candidate` below the field being resolved (`_entities`).
 * Fragments on Candidate, untyped ones and those on an abstract type (which a Candidate may match) are followed;
 * only fragments on another object type, which a Candidate never matches, are not. Without a schema to tell,
 * every fragment is followed: reading more than needed is safe, less is not.
 * Read once per parsed operation: the server keeps parsed documents, so their nodes key the memo.
 */
export function selectedCandidate(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'> & { schema?: GraphQLSchema }): CandidateSelection {
  const first = info.fieldNodes[0];
  if (!first) return EVERYTHING;
  const known = selected.get(first);
  if (known) return known;
  const found = new Set<CandidatePart>();
  const visited = new Set<string>();
  let light = true;
  const follows = (typeName: string | undefined) =>
    typeName === undefined || typeName === 'Candidate' || !info.schema || !isObjectType(info.schema.getType(typeName));
  const walk = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name in CANDIDATE_PARTS) found.add(name as CandidatePart);
        else if (!NEEDS_ID_ONLY.has(name) && !LIGHT_FIELDS.has(name)) light = false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (follows(selection.typeCondition?.name.value)) walk(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = info.fragments[name];
        if (fragment && !visited.has(name) && follows(fragment.typeCondition.name.value)) {
          visited.add(name);
          walk(fragment.selectionSet);
        }
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  const result = selectionOf(PART_NAMES.filter((part) => found.has(part)), light);
  selected.set(first, result);
  return result;
}

type CandidateRow = typeof candidates.$inferSelect;
type PartRows = { [P in CandidatePart]: (typeof CANDIDATE_PARTS)[P]['$inferSelect'] | null };

/** Column keys of the flat row: the candidate's own names, and `<part>.<name>` for a part's. */
function columnsOf(part: CandidatePart): Record<string, PgColumn> {
  return Object.fromEntries(Object.entries(getTableColumns(CANDIDATE_PARTS[part])).map(([name, column]) => [`${part}.${name}`, column]));
}

interface Split {
  /** The candidate's row; of a light statement, only `LIGHT_COLUMNS` are set. */
  candidate: CandidateRow;
  parts: Partial<PartRows>;
}

/** Splits a flat joined row: a part whose `candidateId` is null was not there (left join). Keys are built once. */
function splitter(own: readonly string[], parts: readonly CandidatePart[]): (row: Record<string, unknown>) => Split {
  const groups = parts.map((part) => {
    const names = Object.keys(getTableColumns(CANDIDATE_PARTS[part]));
    return { part, presence: `${part}.candidateId`, names, keys: names.map((name) => `${part}.${name}`) };
  });
  return (row) => {
    const candidate: Record<string, unknown> = {};
    for (const name of own) candidate[name] = row[name];
    const found: Record<string, unknown> = {};
    for (const { part, presence, names, keys } of groups) {
      if (row[presence] === null) {
        found[part] = null;
        continue;
      }
      const value: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) value[names[i]!] = row[keys[i]!];
      found[part] = value;
    }
    return { candidate: candidate as CandidateRow, parts: found as Partial<PartRows> };
  };
}

const statements = new Map<string, (db: Database, ids: readonly string[]) => Promise<Split[]>>();

/**
 * Candidates by id with the given parts, light columns only when `light`: one prepared statement per combination
 * (at most 16, whatever the operations).
 */
export function candidatesWithParts(selection: CandidateSelection): (db: Database, ids: readonly string[]) => Promise<Split[]> {
  const { parts, light, key } = selection;
  let statement = statements.get(key);
  if (!statement) {
    const own = ownColumns(light);
    const byIds = preparedByIds(`users_candidates_by_id_${key}`, (db) => {
      const columns: Record<string, PgColumn> = { ...own };
      for (const part of parts) Object.assign(columns, columnsOf(part));
      let query = db.select(columns).from(candidates).$dynamic();
      for (const part of parts) query = query.leftJoin(CANDIDATE_PARTS[part], eq(CANDIDATE_PARTS[part].candidateId, candidates.id));
      return query.where(idsIn(candidates.id));
    });
    const split = splitter(Object.keys(own), parts);
    statement = async (db, ids) => (await byIds(db, ids)).map((row) => split(row as Record<string, unknown>));
    statements.set(key, statement);
  }
  return statement;
}

/** The candidate columns a statement reads. */
function ownColumns(light: boolean): Record<string, PgColumn> {
  const all = getTableColumns(candidates) as Record<string, PgColumn>;
  return light ? Object.fromEntries(LIGHT_COLUMNS.map((name) => [name, all[name]!])) : { ...all };
}
