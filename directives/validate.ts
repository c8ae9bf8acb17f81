import { getNamedType, isInterfaceType, isNonNullType, isObjectType, type GraphQLField, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { PolicyProblem, PrivacyIndex } from './policy.ts';
import { PURPOSE_CODES, PURPOSES, type Purpose } from './purposes.ts';

/**
 * Checks a schema's privacy annotations against the rules the gateway relies on; an empty list means valid.
 * Every problem names its coordinate so the fix is obvious.
 */
export function validatePrivacyIndex(schema: GraphQLSchema, index: PrivacyIndex): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const personalTypes = new Set(index.personalTypes);
  // A type reached through a personal field holds personal data too (Address, Resume, …).
  for (const classification of index.fields.values()) {
    if (classification.kind !== 'pii') continue;
    const [typeName, fieldName] = classification.policy.coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const field = type.getFields()[fieldName];
    const named = field ? getNamedType(field.type) : undefined;
    if (named && (isObjectType(named) || isInterfaceType(named))) personalTypes.add(named.name);
  }

  for (const [coordinate, classification] of index.fields) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) continue; // not part of the API schema (federation internals)
    if (classification.kind === 'aggregate') {
      problems.push(...aggregateProblems(schema, coordinate, field, classification.purposes, personalTypes));
      continue;
    }
    if (classification.kind !== 'pii') continue;
    const { policy } = classification;
    if (policy.purposes.size === 0 && policy.masked.size === 0) {
      problems.push({ coordinate, message: '@pii lists no purpose: the field could never be released' });
    }
    if (policy.masked.size > 0 && !policy.mask) {
      problems.push({ coordinate, message: '@pii(masked:) needs a mask strategy' });
    }
    if (policy.mask && policy.masked.size === 0) {
      problems.push({ coordinate, message: '@pii(mask:) is set but no purpose is listed in masked:' });
    }
    for (const purpose of [...policy.purposes, ...policy.masked]) {
      const definition = PURPOSES[purpose];
      if (definition.aggregateOnly) {
        problems.push({ coordinate, message: `${purpose} releases aggregates only and cannot open a personal field` });
      }
      if (definition.consent !== 'none' && !policy.consent.has(purpose)) {
        problems.push({ coordinate, message: `${purpose} needs the subject's consent: add it to @consentRequired` });
      }
    }
    for (const purpose of policy.consent) {
      if (!policy.purposes.has(purpose) && !policy.masked.has(purpose)) {
        problems.push({ coordinate, message: `@consentRequired names ${purpose}, which the field does not allow` });
      }
    }
    const everyOutcomeIsMask = PURPOSE_CODES.every(
      (p) => (policy.purposes.has(p) || policy.masked.has(p)) && !PURPOSES[p].aggregateOnly && !policy.consent.has(p),
    );
    if (isNonNullType(field.type) && !everyOutcomeIsMask) {
      problems.push({ coordinate, message: 'a @pii field that can be withheld must be nullable' });
    }
  }

  for (const typeName of [...personalTypes].sort()) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      const coordinate = `${typeName}.${fieldName}`;
      if (!index.fields.has(coordinate)) {
        problems.push({ coordinate, message: 'field of a type holding personal data has neither @pii nor @notPersonal' });
      }
    }
  }

  for (const [typeName, fieldName] of index.subjects) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) {
      problems.push({ coordinate: typeName, message: '@dataSubject on a type that is not an object type' });
      continue;
    }
    if (!type.getFields()[fieldName]) {
      problems.push({ coordinate: `${typeName}.${fieldName}`, message: '@dataSubject names a field that does not exist' });
    }
  }
  return problems;
}

/**
 * A statistics field: a root Query field, nullable (a denial is null), released only under aggregate-only purposes,
 * and nothing it returns, however deep, is a type holding personal data.
 */
function aggregateProblems(
  schema: GraphQLSchema,
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  purposes: ReadonlySet<Purpose>,
  personalTypes: ReadonlySet<string>,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const [typeName] = coordinate.split('.') as [string];
  if (schema.getQueryType()?.name !== typeName) problems.push({ coordinate, message: '@aggregate is for fields of the Query type only' });
  if (purposes.size === 0) problems.push({ coordinate, message: '@aggregate lists no purpose: the field could never be released' });
  for (const purpose of purposes) {
    if (!PURPOSES[purpose].aggregateOnly) problems.push({ coordinate, message: `@aggregate names ${purpose}, which is not an aggregate-only purpose` });
  }
  if (isNonNullType(field.type)) problems.push({ coordinate, message: 'an @aggregate field must be nullable (a denial resolves to null)' });
  const seen = new Set<string>();
  const visit = (type: GraphQLNamedType) => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    if (personalTypes.has(type.name)) problems.push({ coordinate, message: `@aggregate returns ${type.name}, a type holding personal data` });
    if (!isObjectType(type) && !isInterfaceType(type)) return;
    for (const child of Object.values(type.getFields())) {
      visit(getNamedType(child.type));
    }
  };
  visit(getNamedType(field.type));
  return problems;
}

/** Thrown at start-up when the schema's privacy annotations are unsafe. */
export class PrivacySchemaError extends Error {
  readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly PolicyProblem[]) {
    super(
      `The supergraph's privacy annotations are invalid:\n${problems.map((p) => `  - ${p.coordinate}: ${p.message}`).join('\n')}`,
    );
    this.name = 'PrivacySchemaError';
    this.problems = problems;
  }
}
