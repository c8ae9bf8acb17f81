import { CATEGORY_CODES, CONSENT_PURPOSES, MASK_STRATEGY_CODES, PURPOSE_CODES, PURPOSES } from './purposes.ts';
import { CAMPAIGN_DIMENSION_CODES, CANDIDATE_DIMENSION_CODES, FUNNEL_DIMENSION_CODES } from './statistics/domains.ts';

/** The `@link` URL of the privacy vocabulary; its name (`privacy`) prefixes the helper enums. */
export const PRIVACY_SPEC_URL = 'https://specs.privacy-gateway.dev/privacy/v1.0';

export const PRIVACY_DIRECTIVES = ['@pii', '@consentRequired', '@notPersonal', '@dataSubject', '@aggregate'] as const;

/**
 * The directive definitions and their enums, generated from the purpose and category tables.
 * Every subgraph includes this verbatim, so the enums compose identically.
 */
export const privacyDirectiveDefinitions = `
"Why personal data is used; see docs/privacy-map.md."
enum privacy__Purpose { ${PURPOSE_CODES.join(' ')} }
"Kinds of personal data."
enum privacy__Category { ${CATEGORY_CODES.join(' ')} }
"How a value is reduced when only a masked form may be released."
enum privacy__MaskStrategy { ${MASK_STRATEGY_CODES.join(' ')} }

"""
Personal data: released raw under \`purposes\`, in masked form (\`mask\`) under \`masked\`, and never otherwise.
"""
directive @pii(
  category: privacy__Category!
  purposes: [privacy__Purpose!]!
  masked: [privacy__Purpose!]
  mask: privacy__MaskStrategy
) on FIELD_DEFINITION

"Under these purposes the field is released only if its data subject has consented (per employer for EMPLOYER_DISCLOSURE)."
directive @consentRequired(purposes: [privacy__Purpose!]!) on FIELD_DEFINITION

"A field of a type holding personal data that is itself not personal (an opaque key, a status)."
directive @notPersonal(reason: String) on FIELD_DEFINITION

"The field of this type that identifies its data subject (a candidate id)."
directive @dataSubject(field: String!) on OBJECT

"""
A root field that releases only anonymized statistics (noisy counts over a known domain, charged to a privacy
budget), under \`purposes\` (aggregate-only purposes) and never otherwise. What it returns holds no personal field.
"""
directive @aggregate(purposes: [privacy__Purpose!]!) on FIELD_DEFINITION
`;

/** The schema extension a subgraph puts first: federation link, privacy link, composed directives. */
export function subgraphLinkSdl(federationImports: readonly string[]): string {
  const imports = ['@composeDirective', ...federationImports].map((d) => JSON.stringify(d)).join(', ');
  const privacy = PRIVACY_DIRECTIVES.map((d) => JSON.stringify(d)).join(', ');
  const compose = PRIVACY_DIRECTIVES.map((d) => `@composeDirective(name: ${JSON.stringify(d)})`).join('\n    ');
  return `
extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports}])
    @link(url: "${PRIVACY_SPEC_URL}", import: [${privacy}])
    ${compose}
`;
}

/**
 * The data-subject contract every subgraph serves: internal operations that only the gateway calls (hidden from
 * the public API by @inaccessible; every subgraph request needs the gateway's caller assertion), so the gateway can
 * ask each subgraph what it holds about a subject and have each erase it. Written once here and added to every
 * subgraph's SDL by `subgraphSdl`, so the shared value types are identical everywhere, as composition requires;
 * each subgraph implements the two resolvers (`subgraphs/<name>/data-subject.ts`).
 */
export const dataSubjectContractSdl = `
extend type Query {
  """
  What this subgraph holds about the data subject \`subjectId\`: every collection (table) with the subject's rows.
  The subject itself (a candidate, purpose SERVICE_PROVISION) or compliance only (FORBIDDEN otherwise);
  a malformed id is BAD_USER_INPUT.
  """
  _dataSubjectExport(subjectId: ID!): DataSubjectExport! @shareable @inaccessible
}

extend type Mutation {
  """
  Erases or anonymises the data subject's personal data held by this subgraph, in one transaction, and says what
  was kept and why. Idempotent: a repeated call succeeds and erases nothing more. Same callers as \`_dataSubjectExport\`.
  """
  _dataSubjectErase(subjectId: ID!): DataSubjectErasure! @shareable @inaccessible
}

"What one subgraph holds about one data subject."
type DataSubjectExport @shareable @inaccessible {
  subjectId: ID!
  "The subgraph that answered."
  subgraph: String!
  "Every collection the subgraph keeps about data subjects, including those holding no row for this one."
  collections: [DataSubjectCollection!]!
}

"One table's rows about the subject."
type DataSubjectCollection @shareable @inaccessible {
  "Schema-qualified table name, e.g. users.addresses."
  name: String!
  "The privacy categories (privacy__Category) of the personal data the collection holds."
  categories: [String!]!
  rowCount: Int!
  "The rows as JSON text: an array of objects keyed by column name."
  rows: String!
}

"What one subgraph erased, anonymised or kept of one data subject's data."
type DataSubjectErasure @shareable @inaccessible {
  subjectId: ID!
  subgraph: String!
  "What this call changed; on a repeated call every count is 0."
  erased: [DataSubjectErasureStep!]!
  "What the subgraph keeps about the subject after erasure, and why."
  kept: [DataSubjectRetention!]!
}

type DataSubjectErasureStep @shareable @inaccessible {
  collection: String!
  action: DataSubjectErasureAction!
  rows: Int!
}

enum DataSubjectErasureAction @inaccessible {
  "The rows were deleted."
  DELETED
  "The rows were kept with their personal values removed."
  ANONYMISED
  "Live consents were withdrawn through the consent ledger."
  WITHDRAWN
}

type DataSubjectRetention @shareable @inaccessible {
  collection: String!
  rows: Int!
  reason: String!
}
`;

/** A GraphQL string literal (block strings would change how the description prints nowhere, but keep one form). */
const description = (text: string) => JSON.stringify(text);

/**
 * The public enum of the purposes a candidate consents to, generated from the purpose table (consent not `none`).
 * Added by `subgraphSdl` to a subgraph whose schema uses `ConsentPurpose` (the users subgraph).
 */
export const consentPurposeEnumSdl = `
${description('The purposes of use that need the data subject\'s consent (see docs/privacy-map.md).')}
enum ConsentPurpose {
${CONSENT_PURPOSES.map((p) => {
  const note: string | undefined = (PURPOSES[p] as { consentNote?: string }).consentNote;
  return note ? `  ${description(note)}\n  ${p}` : `  ${p}`;
}).join('\n')}
}
`;

/**
 * The public enum of every purpose of use, generated from the purpose table; each value says whether the candidate
 * can suspend it (`restrictProcessing`) and why. Added to a subgraph whose schema uses `PurposeOfUse` (users).
 */
export const purposeOfUseEnumSdl = `
${description('A purpose of use from the privacy policy; each says whether the candidate can suspend it (APPI Art. 35) and why.')}
enum PurposeOfUse {
${PURPOSE_CODES.map((p) => {
  const { restriction } = PURPOSES[p];
  return `  ${description(`${PURPOSES[p].description} ${restriction.allowed ? 'Can be restricted' : 'Cannot be restricted'}: ${restriction.reason}`)}\n  ${p}`;
}).join('\n')}
}
`;

/** The dimensions analysts group candidate and funnel statistics by, generated from directives/statistics/domains.ts. */
export const candidateDimensionEnumSdl = `
${description('What candidate statistics can be grouped by (the known domains are in the README).')}
enum CandidateDimension { ${CANDIDATE_DIMENSION_CODES.join(' ')} }
`;
export const funnelDimensionEnumSdl = `
${description('What the application funnel can be grouped by, besides the application status.')}
enum FunnelDimension { ${FUNNEL_DIMENSION_CODES.join(' ')} }
`;

export const campaignDimensionEnumSdl = `
${description('What campaign reach can be grouped by, besides the outcome (sent, opened).')}
enum CampaignDimension { ${CAMPAIGN_DIMENSION_CODES.join(' ')} }
`;

/** Public enums generated from the vocabulary; a subgraph schema that names one gets its definition appended. */
const GENERATED_ENUMS: Readonly<Record<string, string>> = {
  ConsentPurpose: consentPurposeEnumSdl,
  PurposeOfUse: purposeOfUseEnumSdl,
  CandidateDimension: candidateDimensionEnumSdl,
  FunnelDimension: funnelDimensionEnumSdl,
  CampaignDimension: campaignDimensionEnumSdl,
};

/**
 * The shape of every released statistics table, shared by the subgraphs that release one (`@shareable`): generated
 * here once, so the three cannot drift apart. Added by `subgraphSdl` to a subgraph whose schema names `StatisticsTable`.
 */
export const statisticsTableSdl = `
"A released table of noisy counts."
type StatisticsTable @shareable {
  "The dimensions of each cell's group, in order."
  dimensions: [String!]!
  "Every cell of the known domain, suppressed or not."
  cells: [StatisticsCell!]!
  "The ε the answer was produced with."
  epsilon: Float!
  "The ε this request charged: 0 when the stored answer of an earlier identical question was returned."
  epsilonCharged: Float!
  "The analyst's ε remaining in the period after this answer."
  epsilonRemaining: Float!
  "The most cells one person can count in (the noise is scaled to it)."
  sensitivity: Int!
  "Noisy counts below this read as suppressed."
  suppressionThreshold: Int!
  "The expected absolute error of a cell's count at this ε and sensitivity."
  expectedAbsoluteError: Float!
  "The budget period, YYYY-MM."
  period: String!
  "Whether this is the stored answer of an earlier identical question in the period."
  reused: Boolean!
  "The release's id (as in the release record)."
  releaseId: ID!
}

"One cell: a noisy count, or null when suppressed."
type StatisticsCell @shareable {
  group: [String!]!
  count: Int
  suppressed: Boolean!
}
`;

/** Public types generated once for every subgraph that names them. */
const GENERATED_TYPES: Readonly<Record<string, string>> = {
  StatisticsTable: statisticsTableSdl,
};

/** Federation directives a subgraph SDL may use; each one it uses is imported in its `@link`. */
const FEDERATION_DIRECTIVES = ['@key', '@shareable', '@inaccessible', '@external', '@requires', '@provides', '@override', '@tag', '@interfaceObject'] as const;

/**
 * The whole SDL a subgraph serves, from its `schema.graphql`: the federation link (importing exactly the
 * federation directives the file uses), the privacy link, the generated privacy directive definitions, the
 * generated public enums the file names (`ConsentPurpose`) and the data-subject contract.
 * The subgraph and the composition both build it from the file, so what composes is what is served.
 * @example subgraphSdl(readFileSync('subgraphs/users/schema.graphql', 'utf8'))
 */
export function subgraphSdl(schemaSdl: string): string {
  const withoutComments = schemaSdl.replace(/#.*$/gm, '');
  let generated = '';
  for (const [name, enumSdl] of Object.entries(GENERATED_ENUMS)) {
    if (!new RegExp(`\\b${name}\\b`).test(withoutComments)) continue;
    if (new RegExp(`\\benum\\s+${name}\\b`).test(withoutComments)) {
      throw new Error(`enum ${name} is generated from directives/purposes.ts; remove it from the subgraph's schema.graphql`);
    }
    generated += enumSdl;
  }
  for (const [name, typeSdl] of Object.entries(GENERATED_TYPES)) {
    if (!new RegExp(`\\b${name}\\b`).test(withoutComments)) continue;
    if (new RegExp(`\\btype\\s+${name}\\b`).test(withoutComments)) {
      throw new Error(`type ${name} is generated by directives/sdl.ts; remove it from the subgraph's schema.graphql`);
    }
    generated += typeSdl;
  }
  const sdl = schemaSdl + generated + dataSubjectContractSdl;
  const used = FEDERATION_DIRECTIVES.filter((d) => new RegExp(`${d}\\b`).test(sdl.replace(/#.*$/gm, '')));
  return subgraphLinkSdl(used) + privacyDirectiveDefinitions + sdl;
}
