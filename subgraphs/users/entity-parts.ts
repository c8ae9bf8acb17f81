/**
 * A candidate's one-to-one parts (address, residence card, résumé) read in the same statement as the candidate
 * when the operation selects them: an entity fetch of a page then costs the database one statement, not one per part.
 * Only a shortcut: a part read here is the row its own loader would read, and a part not seen in the selection is
 * still read by its own loader when resolved.
 */
import { eq, getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { addresses, candidates, residenceCards, resumes } from '../../db/schema/users.ts';
import type { Database } from '../../db/client.ts';
import { idsIn, preparedByIds } from '../common/sql.ts';

/** The one-to-one parts, by the `Candidate` field that resolves them; each table is keyed by `candidate_id`. */
export const CANDIDATE_PARTS = { address: addresses, residenceCard: residenceCards, resume: resumes } as const;
export type CandidatePart = keyof typeof CANDIDATE_PARTS;
const PART_NAMES = Object.keys(CANDIDATE_PARTS) as CandidatePart[];

const NO_PARTS: readonly CandidatePart[] = Object.freeze([]);
const selected = new WeakMap<FieldNode, readonly CandidatePart[]>();

/**
 * The parts selected on `Candidate` below the field being resolved (`_entities`), in a fixed order.
 * Read once per parsed operation: the server keeps parsed documents, so their nodes key the memo.
 */
export function selectedCandidateParts(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): readonly CandidatePart[] {
  const first = info.fieldNodes[0];
  if (!first) return NO_PARTS;
  const known = selected.get(first);
  if (known) return known;
  const found = new Set<CandidatePart>();
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value in CANDIDATE_PARTS) found.add(selection.name.value as CandidatePart);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || selection.typeCondition.name.value === 'Candidate') walk(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = info.fragments[name];
        if (fragment && !visited.has(name) && fragment.typeCondition.name.value === 'Candidate') {
          visited.add(name);
          walk(fragment.selectionSet);
        }
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  const parts = found.size === 0 ? NO_PARTS : Object.freeze(PART_NAMES.filter((part) => found.has(part)));
  selected.set(first, parts);
  return parts;
}

type CandidateRow = typeof candidates.$inferSelect;
export type PartRows = { [P in CandidatePart]: (typeof CANDIDATE_PARTS)[P]['$inferSelect'] | null };

/** Column keys of the flat row: the candidate's own names, and `<part>.<name>` for a part's. */
function columnsOf(part: CandidatePart): Record<string, PgColumn> {
  return Object.fromEntries(Object.entries(getTableColumns(CANDIDATE_PARTS[part])).map(([name, column]) => [`${part}.${name}`, column]));
}

interface Split {
  candidate: CandidateRow;
  parts: Partial<PartRows>;
}

/** Splits a flat joined row: a part whose `candidateId` is null was not there (left join). Keys are built once. */
function splitter(parts: readonly CandidatePart[]): (row: Record<string, unknown>) => Split {
  const own = Object.keys(getTableColumns(candidates));
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

/** Candidates by id with the given parts, one prepared statement per combination of parts. */
export function candidatesWithParts(parts: readonly CandidatePart[]): (db: Database, ids: readonly string[]) => Promise<Split[]> {
  const key = parts.join('_');
  let statement = statements.get(key);
  if (!statement) {
    const byIds = preparedByIds(`users_candidates_by_id_with_${key}`, (db) => {
      const columns: Record<string, PgColumn> = { ...getTableColumns(candidates) };
      for (const part of parts) Object.assign(columns, columnsOf(part));
      let query = db.select(columns).from(candidates).$dynamic();
      for (const part of parts) query = query.leftJoin(CANDIDATE_PARTS[part], eq(CANDIDATE_PARTS[part].candidateId, candidates.id));
      return query.where(idsIn(candidates.id));
    });
    const split = splitter(parts);
    statement = async (db, ids) => (await byIds(db, ids)).map((row) => split(row as Record<string, unknown>));
    statements.set(key, statement);
  }
  return statement;
}
