import {
  Kind,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
} from 'graphql';
import {
  CATEGORY_CODES,
  isMaskStrategy,
  isPurpose,
  type Category,
  type MaskStrategy,
  type Purpose,
} from './purposes.ts';

/** The privacy rule of one personal field, read from its `@pii` and `@consentRequired` directives. */
export interface FieldPolicy {
  /** Schema coordinate, `Type.field`. */
  coordinate: string;
  category: Category;
  /** Purposes under which the raw value may be released. */
  purposes: ReadonlySet<Purpose>;
  /** Purposes under which only the masked form may be released. */
  masked: ReadonlySet<Purpose>;
  mask: MaskStrategy | null;
  /** Purposes under which the data subject's consent is needed as well. */
  consent: ReadonlySet<Purpose>;
}

/** What the schema says about a field: personal (with its policy), explicitly not personal, or a statistics field. */
export type FieldClassification =
  | { kind: 'pii'; policy: FieldPolicy }
  | { kind: 'notPersonal' }
  /** A statistics field (`@aggregate`): released only under these aggregate-only purposes. */
  | { kind: 'aggregate'; purposes: ReadonlySet<Purpose> };

/** Every privacy annotation of a schema, keyed by coordinate and type name. */
export interface PrivacyIndex {
  fields: ReadonlyMap<string, FieldClassification>;
  /** Type name → name of the field holding its data subject's id (`@dataSubject`). */
  subjects: ReadonlyMap<string, string>;
  /** Types that hold personal data: every one of their fields must be classified. */
  personalTypes: ReadonlySet<string>;
}

/** A problem found while reading or validating privacy annotations, named by coordinate. */
export interface PolicyProblem {
  coordinate: string;
  message: string;
}

const OBJECT_KINDS = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
]);

function argument(directive: ConstDirectiveNode, name: string): unknown {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value) : undefined;
}

function purposeSet(value: unknown, coordinate: string, what: string, problems: PolicyProblem[]): Set<Purpose> {
  const out = new Set<Purpose>();
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) {
    problems.push({ coordinate, message: `${what} must be a list of purposes` });
    return out;
  }
  for (const item of value) {
    if (isPurpose(item)) out.add(item);
    else problems.push({ coordinate, message: `${what} names unknown purpose ${String(item)}` });
  }
  return out;
}

function readFieldPolicy(
  coordinate: string,
  field: FieldDefinitionNode,
  problems: PolicyProblem[],
): FieldClassification | undefined {
  const directives = field.directives ?? [];
  const pii = directives.filter((d) => d.name.value === 'pii');
  const notPersonal = directives.some((d) => d.name.value === 'notPersonal');
  const consentDirectives = directives.filter((d) => d.name.value === 'consentRequired');
  const aggregate = directives.filter((d) => d.name.value === 'aggregate');
  if (aggregate.length > 0) {
    if (pii.length > 0 || notPersonal || consentDirectives.length > 0) {
      problems.push({ coordinate, message: '@aggregate cannot be combined with @pii, @notPersonal or @consentRequired' });
    }
    const purposes = new Set<Purpose>();
    for (const d of aggregate) for (const p of purposeSet(argument(d, 'purposes'), coordinate, '@aggregate(purposes:)', problems)) purposes.add(p);
    return { kind: 'aggregate', purposes };
  }
  if (pii.length === 0) {
    if (consentDirectives.length > 0) problems.push({ coordinate, message: '@consentRequired without @pii' });
    return notPersonal ? { kind: 'notPersonal' } : undefined;
  }
  if (notPersonal) problems.push({ coordinate, message: 'both @pii and @notPersonal' });
  // Composition can repeat a directive when several subgraphs declare the same field; they must agree.
  const printed = new Set(pii.map((d) => JSON.stringify(d.arguments?.map((a) => [a.name.value, valueFromASTUntyped(a.value)]))));
  if (printed.size > 1) problems.push({ coordinate, message: 'subgraphs disagree on @pii' });
  const directive = pii[0]!;
  const category = argument(directive, 'category');
  if (!CATEGORY_CODES.includes(category as Category)) {
    problems.push({ coordinate, message: `@pii has unknown category ${String(category)}` });
  }
  const mask = argument(directive, 'mask');
  if (mask !== undefined && mask !== null && !isMaskStrategy(mask)) {
    problems.push({ coordinate, message: `@pii names unknown mask strategy ${String(mask)}` });
  }
  const consent = new Set<Purpose>();
  for (const d of consentDirectives) {
    for (const p of purposeSet(argument(d, 'purposes'), coordinate, '@consentRequired(purposes:)', problems)) consent.add(p);
  }
  return {
    kind: 'pii',
    policy: {
      coordinate,
      category: category as Category,
      purposes: purposeSet(argument(directive, 'purposes'), coordinate, '@pii(purposes:)', problems),
      masked: purposeSet(argument(directive, 'masked'), coordinate, '@pii(masked:)', problems),
      mask: isMaskStrategy(mask) ? mask : null,
      consent,
    },
  };
}

/**
 * Reads `@pii`, `@consentRequired`, `@notPersonal`, `@aggregate` and `@dataSubject` from a subgraph or supergraph SDL.
 * @example const { index, problems } = readPrivacyIndex(parse(supergraphSdl));
 */
export function readPrivacyIndex(document: DocumentNode): { index: PrivacyIndex; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const fields = new Map<string, FieldClassification>();
  const subjects = new Map<string, string>();
  const personalTypes = new Set<string>();
  for (const definition of document.definitions) {
    if (!OBJECT_KINDS.has(definition.kind)) continue;
    const type = definition as Extract<typeof definition, { kind: Kind.OBJECT_TYPE_DEFINITION }>;
    const typeName = type.name.value;
    for (const d of type.directives ?? []) {
      if (d.name.value !== 'dataSubject') continue;
      const field = argument(d, 'field');
      if (typeof field === 'string') subjects.set(typeName, field);
      else problems.push({ coordinate: typeName, message: '@dataSubject(field:) must name a field' });
    }
    for (const field of type.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const classification = readFieldPolicy(coordinate, field, problems);
      if (!classification) continue;
      const previous = fields.get(coordinate);
      // A field shared by several subgraphs counts as personal if any of them says so.
      if (!previous || classification.kind === 'pii') fields.set(coordinate, classification);
      if (classification.kind === 'pii') personalTypes.add(typeName);
    }
  }
  return { index: { fields, subjects, personalTypes }, problems };
}
