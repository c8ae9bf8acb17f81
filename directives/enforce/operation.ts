import { createHash } from 'node:crypto';
import {
  Kind,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { BoundCaller } from '../caller.ts';
import { decide, subjectCheck, type Decision, type SubjectCheck } from '../decide.ts';
import { PrivacyError, ServiceError } from '../errors.ts';
import type { FieldClassification, PrivacyIndex } from '../policy.ts';

/** Aliases the gateway adds to an operation start with this; clients may not use it. */
export const HIDDEN_ALIAS_PREFIX = '_pv_';
const TYPENAME_ALIAS = `${HIDDEN_ALIAS_PREFIX}t`;
const SUBJECT_ALIAS = `${HIDDEN_ALIAS_PREFIX}s`;
const FILLER_ALIAS = `${HIDDEN_ALIAS_PREFIX}e`;

/** A `@skip`/`@include` condition: a literal, or a variable read at request time (with the operation's default for it). */
export type Condition = { kind: 'skip' | 'include'; value: boolean | { variable: string; defaultValue?: boolean } };

/** What to do with one response key of one concrete type. */
export interface FieldEntry {
  key: string;
  coordinate: string;
  decision: Decision;
  /** Per-subject checks (own record, consent) when the decision releases the field. */
  check: SubjectCheck | null;
  child: SelectionPlan | null;
  /** The field holds personal data (its release is a disclosure). */
  personal: boolean;
  /** Each occurrence's conditions; the field is present if any occurrence's conditions all hold. */
  occurrences: Condition[][];
}

/** How to shape one selection set of the response, per concrete type. */
export interface SelectionPlan {
  /** Response key holding `__typename` when the static type is abstract. */
  typenameKey: string | null;
  staticType: string | null;
  byType: Map<string, FieldEntry[]>;
  /** Concrete type → response key holding its data subject's id. */
  subjectKeys: Map<string, string>;
  /**
   * The objects here hold exactly the client's keys (static type, nothing withheld by purpose, no hidden
   * selection): shaping may rewrite values in place instead of copying, when EnforcementPlan.inPlace allows.
   */
  inPlace: boolean;
  /** Concrete type → where consent checks are: see ConsentWalk. Only types with a check at or below them. */
  consentWalks: Map<string, ConsentWalk>;
  /** Some object at or below here has a data subject of its own (the others inherit their parent's). */
  namesSubjects: boolean;
}

/**
 * Where an object's data subjects need consent: shaping first collects those subjects from the response (one
 * batched lookup), then decides each consent-gated value in place. Subtrees without a consent check are not visited.
 */
export interface ConsentWalk {
  /** A field of this object needs its data subject's consent. */
  here: boolean;
  /**
   * The fields whose selections have consent checks at or below them, and may hold a subject not collected here:
   * one of their objects names its own subject, or no field here needed this object's.
   */
  below: FieldEntry[];
}

/** Which consent the operation's checks can depend on, for the batched lookup's scope. */
export interface ConsentNeeds {
  purposes: string[];
  /** Whether the checks need consent to the calling employer (true) or to every employer (false); null: both. */
  perRecipient: boolean | null;
  /**
   * Type → the field naming its data subject, for the types on the way to a consent check that name their own
   * subject: an entity fetch's representations of these types name subjects the response will hold, so their
   * consent can be asked for while the operation is still executing (see ConsentPrefetch).
   */
  subjectFields: ReadonlyMap<string, string>;
}

/** Limits that keep a single operation from exhausting the graph. */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 12, maxAliases: 30, maxFields: 400 };

/** Everything enforcement needs for one (operation, role, purpose), computed once and cached. */
export interface EnforcementPlan {
  document: DocumentNode;
  /** The rewritten document printed once, handed to the executor as the request source. */
  source: string;
  /** Hash of the rewritten document (the gateway's query-plan cache key). */
  queryHash: string;
  operation: OperationDefinitionNode;
  root: SelectionPlan;
  /** Coordinates withheld by purpose, for strict mode and the audit log. */
  deniedCoordinates: string[];
  maskedCoordinates: string[];
  /** The consent the operation's checks need; null when no field needs any. */
  consent: ConsentNeeds | null;
  /** The rewrite added no hidden selection anywhere (see SelectionPlan.inPlace). */
  inPlace: boolean;
  /**
   * Shaping would change nothing: no hidden selection, and every field at every level is allowed in clear with
   * no per-subject check. The executor's result is then the response as it is.
   */
  passThrough: boolean;
}

export interface PlanInput {
  schema: GraphQLSchema;
  index: PrivacyIndex;
  document: DocumentNode;
  operationName: string | null | undefined;
  caller: Pick<BoundCaller, 'role' | 'purpose'>;
  limits?: OperationLimits;
}

function classify(index: PrivacyIndex, typeName: string, fieldName: string): FieldClassification | undefined {
  if (fieldName.startsWith('__')) return { kind: 'notPersonal' };
  const known = index.fields.get(`${typeName}.${fieldName}`);
  if (known) return known;
  // Fields of types without personal data need no annotation; start-up validation guarantees the rest are tagged.
  return index.personalTypes.has(typeName) ? undefined : { kind: 'notPersonal' };
}

function conditionsOf(
  node: { directives?: readonly { name: { value: string }; arguments?: readonly any[] }[] },
  variableDefaults: ReadonlyMap<string, boolean>,
): Condition[] {
  const out: Condition[] = [];
  for (const d of node.directives ?? []) {
    if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    if (!arg) continue;
    let value: Condition['value'];
    if (arg.value.kind === Kind.VARIABLE) {
      const variable = arg.value.name.value as string;
      const defaultValue = variableDefaults.get(variable);
      value = defaultValue === undefined ? { variable } : { variable, defaultValue };
    } else {
      value = arg.value.value === true;
    }
    out.push({ kind: d.name.value, value });
  }
  return out;
}

/** Whether a field occurrence with these conditions is part of the response for these variables. */
export function isIncluded(occurrences: Condition[][], variables: Record<string, unknown> | undefined): boolean {
  return occurrences.some((conditions) =>
    conditions.every((c) => {
      // A variable the request leaves out takes its default from the operation, as execution does.
      const value =
        typeof c.value === 'boolean'
          ? c.value
          : (variables && Object.hasOwn(variables, c.value.variable) ? variables[c.value.variable] : c.value.defaultValue) === true;
      return c.kind === 'include' ? value : !value;
    }),
  );
}

function doesTypeApply(schema: GraphQLSchema, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
}

interface Walk {
  schema: GraphQLSchema;
  index: PrivacyIndex;
  caller: Pick<BoundCaller, 'role' | 'purpose'>;
  fragments: Map<string, FragmentDefinitionNode>;
  /** Boolean defaults of the operation's variables (`query ($v: Boolean = true)`). */
  variableDefaults: Map<string, boolean>;
  limits: OperationLimits;
  denied: Set<string>;
  masked: Set<string>;
  aliases: number;
  fields: number;
  consentChecks: Set<NonNullable<SubjectCheck['consent']>>;
  /** Purposes whose restriction a check needs (restrictable purposes without consent: see SubjectCheck.restriction). */
  restrictionChecks: Set<string>;
  /** One shared object per distinct check in this plan, so a response decides each (check, subject) once whatever the field. */
  checks: Map<string, SubjectCheck>;
  /** Set by the rewrite when it adds a hidden (`_pv_`) selection anywhere. */
  addsHidden: boolean;
}

/** The plan's one object for `check` (see Walk.checks). */
function internCheck(walk: Walk, check: SubjectCheck | null): SubjectCheck | null {
  if (!check) return null;
  const key = `${check.self}|${check.consent?.purpose ?? ''}|${check.consent?.perRecipient ?? ''}|${check.restriction ?? ''}`;
  let shared = walk.checks.get(key);
  if (!shared) {
    const consent = check.consent && Object.freeze({ ...check.consent });
    walk.checks.set(key, (shared = Object.freeze({ self: check.self, consent, restriction: check.restriction ?? null })));
  }
  return shared;
}

/** Collects the fields a selection set yields for one concrete type (the spec's CollectFields, conditions kept). */
function collectFields(
  walk: Walk,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  inherited: Condition[],
  into: Map<string, { nodes: FieldNode[]; occurrences: Condition[][] }>,
  visitedFragments: Set<string>,
) {
  for (const selection of selectionSet.selections) {
    const conditions = [...inherited, ...conditionsOf(selection, walk.variableDefaults)];
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const entry = into.get(key) ?? { nodes: [], occurrences: [] };
      entry.nodes.push(selection);
      entry.occurrences.push(conditions);
      into.set(key, entry);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (doesTypeApply(walk.schema, selection.typeCondition?.name.value, type)) {
        collectFields(walk, type, selection.selectionSet, conditions, into, visitedFragments);
      }
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || visitedFragments.has(name)) continue;
      if (doesTypeApply(walk.schema, fragment.typeCondition.name.value, type)) {
        collectFields(walk, type, fragment.selectionSet, conditions, into, new Set([...visitedFragments, name]));
      }
    }
  }
}

function possibleTypes(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  return isObjectType(type) ? [type] : schema.getPossibleTypes(type);
}

function planSelection(walk: Walk, type: GraphQLCompositeType, selectionSets: SelectionSetNode[], depth: number): SelectionPlan {
  if (depth > walk.limits.maxDepth) {
    throw new PrivacyError('QUERY_TOO_COMPLEX', `The operation is nested deeper than ${walk.limits.maxDepth} levels.`);
  }
  const plan: SelectionPlan = {
    typenameKey: isObjectType(type) ? null : TYPENAME_ALIAS,
    staticType: isObjectType(type) ? type.name : null,
    byType: new Map(),
    subjectKeys: new Map(),
    inPlace: false,
    consentWalks: new Map(),
    namesSubjects: false,
  };
  for (const concrete of possibleTypes(walk.schema, type)) {
    const collected = new Map<string, { nodes: FieldNode[]; occurrences: Condition[][] }>();
    for (const set of selectionSets) collectFields(walk, concrete, set, [], collected, new Set());
    const entries: FieldEntry[] = [];
    for (const [key, { nodes, occurrences }] of collected) {
      const fieldName = nodes[0]!.name.value;
      if (key.startsWith(HIDDEN_ALIAS_PREFIX)) {
        throw new ServiceError('BAD_USER_INPUT', `Aliases starting with "${HIDDEN_ALIAS_PREFIX}" are reserved.`);
      }
      // GraphQL reserves names starting with "__"; as a response key ("__proto__") one would also be an object's prototype.
      if (key.startsWith('__') && nodes.some((n) => n.alias !== undefined)) {
        throw new ServiceError('BAD_USER_INPUT', 'Aliases starting with "__" are reserved.');
      }
      if (fieldName === '__typename') {
        entries.push({ key, coordinate: `${concrete.name}.__typename`, decision: { kind: 'allow' }, check: null, child: null, personal: false, occurrences });
        continue;
      }
      const definition = concrete.getFields()[fieldName] ?? (fieldName.startsWith('__') ? undefined : null);
      if (definition === null) continue; // validation already rejected unknown fields
      const coordinate = `${concrete.name}.${fieldName}`;
      const classification = classify(walk.index, concrete.name, fieldName);
      const decision = decide(classification, walk.caller);
      const check =
        decision.kind !== 'deny' && classification?.kind === 'pii' ? internCheck(walk, subjectCheck(classification.policy, walk.caller as BoundCaller)) : null;
      if (check?.consent) walk.consentChecks.add(check.consent);
      if (check?.restriction) walk.restrictionChecks.add(check.restriction);
      if (decision.kind === 'deny') walk.denied.add(coordinate);
      if (decision.kind === 'mask') walk.masked.add(coordinate);
      let child: SelectionPlan | null = null;
      const childSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      if (definition && childSets.length > 0 && decision.kind !== 'deny') {
        child = planSelection(walk, getNamedType(definition.type) as GraphQLCompositeType, childSets, depth + 1);
      }
      entries.push({ key, coordinate, decision, check, child, personal: classification?.kind !== 'notPersonal' && classification?.kind !== 'aggregate', occurrences });
    }
    plan.byType.set(concrete.name, entries);
    const here = entries.some((e) => e.check?.consent || e.check?.restriction);
    const below = entries.filter((e) => e.child !== null && e.child.consentWalks.size > 0 && (e.child.namesSubjects || !here));
    if (here || below.length > 0) plan.consentWalks.set(concrete.name, { here, below });
    // The subject id: the client's own unconditional, unaliased selection of it when there is one (the rewrite
    // then adds nothing), otherwise the hidden alias the rewrite adds. See subjectIdSelected.
    const subjectField = walk.index.subjects.get(concrete.name);
    if (subjectField) {
      const own = entries.find(
        (e) =>
          e.key === subjectField &&
          e.coordinate === `${concrete.name}.${subjectField}` &&
          e.decision.kind === 'allow' &&
          e.occurrences.some((conditions) => conditions.length === 0),
      );
      plan.subjectKeys.set(concrete.name, own && isObjectType(type) ? subjectField : SUBJECT_ALIAS);
    }
    if (subjectField || entries.some((e) => e.child?.namesSubjects)) plan.namesSubjects = true;
    plan.inPlace =
      isObjectType(type) && plan.subjectKeys.get(concrete.name) !== SUBJECT_ALIAS && entries.every((e) => e.decision.kind !== 'deny');
  }
  return plan;
}

function changesNothing(plan: SelectionPlan): boolean {
  if (!plan.inPlace || plan.staticType === null) return false;
  return (plan.byType.get(plan.staticType) ?? []).every(
    (e) => e.decision.kind === 'allow' && e.check === null && (e.child === null || changesNothing(e.child)),
  );
}

function consentNeeds(
  checks: ReadonlySet<NonNullable<SubjectCheck['consent']>>,
  restrictions: ReadonlySet<string>,
  subjectFields: ReadonlyMap<string, string>,
): ConsentNeeds | null {
  if (checks.size === 0 && restrictions.size === 0) return null;
  // A restriction does not depend on the recipient: it joins whatever scope the consent checks need.
  const kinds = new Set([...checks].map((c) => c.perRecipient));
  return {
    purposes: [...new Set([...[...checks].map((c) => c.purpose as string), ...restrictions])].sort(),
    perRecipient: kinds.size === 0 ? false : kinds.size === 1 ? [...kinds][0]! : null,
    subjectFields,
  };
}

/** The subject field of every type on a consent walk that names its own subject (see ConsentNeeds.subjectFields). */
function subjectFieldsOnConsentWalks(root: SelectionPlan, index: PrivacyIndex): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (plan: SelectionPlan) => {
    for (const [type, walk] of plan.consentWalks) {
      const field = index.subjects.get(type);
      if (field) out.set(type, field);
      for (const entry of walk.below) visit(entry.child!);
    }
  };
  visit(root);
  return out;
}

function countSelections(walk: Walk, document: DocumentNode) {
  visit(document, {
    Field(node) {
      walk.fields++;
      if (node.alias) walk.aliases++;
    },
  });
  if (walk.aliases > walk.limits.maxAliases) {
    throw new PrivacyError('QUERY_TOO_COMPLEX', `The operation uses more than ${walk.limits.maxAliases} aliases.`);
  }
  if (walk.fields > walk.limits.maxFields) {
    throw new PrivacyError('QUERY_TOO_COMPLEX', `The operation selects more than ${walk.limits.maxFields} fields.`);
  }
}

function field(name: string, alias?: string): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
  };
}

/**
 * Whether a selection set selects the subject id itself as a direct, unaliased field without directives that
 * the purpose allows unmasked: then the response always holds it under its own name, and planSelection reads
 * it there (an occurrence without conditions) instead of a hidden alias.
 */
function subjectIdSelected(walk: Walk, type: GraphQLObjectType, subjectField: string, selections: readonly SelectionNode[]): boolean {
  if (decide(classify(walk.index, type.name, subjectField), walk.caller).kind !== 'allow') return false;
  return selections.some(
    (s) =>
      s.kind === Kind.FIELD &&
      s.name.value === subjectField &&
      (s.alias === undefined || s.alias.value === subjectField) &&
      (s.directives?.length ?? 0) === 0,
  );
}

/**
 * Rewrites the document: removes fields the purpose denies, adds hidden `__typename` and subject-id selections,
 * and keeps every selection set non-empty. Returns a new document; the input is never mutated.
 */
function rewrite(walk: Walk, document: DocumentNode): DocumentNode {
  const { schema, index } = walk;
  const typeStack: (GraphQLCompositeType | null)[] = [];
  /** Every hidden selection the rewrite adds is made here, so the plan knows whether results carry any. */
  const hidden = (name: string, alias: string): FieldNode => {
    walk.addsHidden = true;
    return field(name, alias);
  };

  const decideField = (parent: GraphQLCompositeType, fieldName: string): boolean => {
    if (fieldName.startsWith('__')) return true;
    const types = possibleTypes(schema, parent);
    // Denied if any concrete type denies it (fail closed for fields selected on interfaces).
    return types.every((t) => !t.getFields()[fieldName] || decide(classify(index, t.name, fieldName), walk.caller).kind !== 'deny');
  };

  const hiddenSelections = (type: GraphQLCompositeType, selections: readonly SelectionNode[]): SelectionNode[] => {
    const extra: SelectionNode[] = [];
    if (!isObjectType(type)) extra.push(hidden('__typename', TYPENAME_ALIAS));
    for (const concrete of possibleTypes(schema, type)) {
      const subjectField = index.subjects.get(concrete.name);
      if (!subjectField) continue;
      if (isObjectType(type) && subjectIdSelected(walk, concrete, subjectField, selections)) continue;
      const selection = hidden(subjectField, SUBJECT_ALIAS);
      extra.push(
        isObjectType(type)
          ? selection
          : {
              kind: Kind.INLINE_FRAGMENT,
              typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: concrete.name } },
              selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] },
            },
      );
    }
    return extra;
  };

  const typeOfCondition = (name: string | undefined, fallback: GraphQLCompositeType | null) =>
    name ? ((schema.getType(name) as GraphQLCompositeType | undefined) ?? null) : fallback;

  return visit(document, {
    OperationDefinition: {
      enter(node) {
        typeStack.push(schema.getRootType(node.operation) ?? null);
      },
      leave(node) {
        typeStack.pop();
        // Every root field withheld (a statistics field asked for by anyone else): the operation still needs a selection.
        if (node.selectionSet.selections.length === 0) {
          return { ...node, selectionSet: { ...node.selectionSet, selections: [hidden('__typename', FILLER_ALIAS)] } };
        }
        return undefined;
      },
    },
    FragmentDefinition: {
      enter(node) {
        typeStack.push(typeOfCondition(node.typeCondition.name.value, null));
      },
      leave(node) {
        typeStack.pop();
        if (node.selectionSet.selections.length === 0) {
          return { ...node, selectionSet: { ...node.selectionSet, selections: [hidden('__typename', FILLER_ALIAS)] } };
        }
        return undefined;
      },
    },
    InlineFragment: {
      enter(node) {
        typeStack.push(typeOfCondition(node.typeCondition?.name.value, typeStack.at(-1) ?? null));
      },
      leave(node) {
        typeStack.pop();
        if (node.selectionSet.selections.length === 0) {
          return { ...node, selectionSet: { ...node.selectionSet, selections: [hidden('__typename', FILLER_ALIAS)] } };
        }
        return undefined;
      },
    },
    Field: {
      enter(node) {
        const parent = typeStack.at(-1) ?? null;
        if (!parent) {
          typeStack.push(null);
          return undefined;
        }
        if (!decideField(parent, node.name.value)) return null; // removed: no subgraph is asked for it
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
        typeStack.push(definition ? (getNamedType(definition.type) as GraphQLCompositeType) : null);
        return undefined;
      },
      leave(node) {
        const type = typeStack.pop() ?? null;
        if (!node.selectionSet || !type) return undefined;
        const selections = [...node.selectionSet.selections, ...hiddenSelections(type, node.selectionSet.selections)];
        if (selections.length === 0) selections.push(hidden('__typename', FILLER_ALIAS));
        return { ...node, selectionSet: { ...node.selectionSet, selections } };
      },
    },
  });
}

/**
 * Computes the enforcement plan of an operation for one role and purpose: what to remove before planning,
 * what to mask, redact or check per subject in the response.
 * @example const plan = planOperation({ schema, index, document, operationName, caller });
 */
export function planOperation(input: PlanInput): EnforcementPlan {
  const operations = input.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = input.operationName
    ? operations.find((o) => o.name?.value === input.operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) throw new ServiceError('BAD_USER_INPUT', 'Unknown operation.');
  const walk: Walk = {
    schema: input.schema,
    index: input.index,
    caller: input.caller,
    fragments: new Map(
      input.document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
    variableDefaults: new Map(
      (operation.variableDefinitions ?? []).flatMap((v) =>
        v.defaultValue?.kind === Kind.BOOLEAN ? [[v.variable.name.value, v.defaultValue.value] as const] : [],
      ),
    ),
    limits: input.limits ?? DEFAULT_LIMITS,
    denied: new Set(),
    masked: new Set(),
    aliases: 0,
    fields: 0,
    consentChecks: new Set(),
    restrictionChecks: new Set(),
    checks: new Map(),
    addsHidden: false,
  };
  countSelections(walk, input.document);
  const rootType = input.schema.getRootType(operation.operation);
  if (!rootType) throw new ServiceError('BAD_USER_INPUT', 'The schema does not support this operation type.');
  const root = planSelection(walk, rootType, [operation.selectionSet], 1);
  const document = rewrite(walk, input.document);
  const rewrittenOperation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operation.name?.value,
  )!;
  const source = print(document);
  // Clients cannot use _pv_ aliases: when the rewrite added no hidden selection, results hold client keys only.
  const inPlace = !walk.addsHidden;
  return {
    document,
    source,
    queryHash: createHash('sha256').update(source).digest('hex'),
    operation: rewrittenOperation,
    root,
    deniedCoordinates: [...walk.denied].sort(),
    maskedCoordinates: [...walk.masked].sort(),
    consent: consentNeeds(walk.consentChecks, walk.restrictionChecks, subjectFieldsOnConsentWalks(root, input.index)),
    inPlace,
    passThrough: inPlace && changesNothing(root),
  };
}
