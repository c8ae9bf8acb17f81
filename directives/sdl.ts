import { CATEGORY_CODES, MASK_STRATEGY_CODES, PURPOSE_CODES } from './purposes.ts';

/** The `@link` URL of the privacy vocabulary; its name (`privacy`) prefixes the helper enums. */
export const PRIVACY_SPEC_URL = 'https://specs.privacy-gateway.dev/privacy/v1.0';

export const PRIVACY_DIRECTIVES = ['@pii', '@consentRequired', '@notPersonal', '@dataSubject'] as const;

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

/** Federation directives a subgraph SDL may use; each one it uses is imported in its `@link`. */
const FEDERATION_DIRECTIVES = ['@key', '@shareable', '@inaccessible', '@external', '@requires', '@provides', '@override', '@tag', '@interfaceObject'] as const;

/**
 * The whole SDL a subgraph serves, from its `schema.graphql`: the federation link (importing exactly the
 * federation directives the file uses), the privacy link and the generated privacy directive definitions.
 * The subgraph and the composition both build it from the file, so what composes is what is served.
 * @example subgraphSdl(readFileSync('subgraphs/users/schema.graphql', 'utf8'))
 */
export function subgraphSdl(schemaSdl: string): string {
  const used = FEDERATION_DIRECTIVES.filter((d) => new RegExp(`${d}\\b`).test(schemaSdl.replace(/#.*$/gm, '')));
  return subgraphLinkSdl(used) + privacyDirectiveDefinitions + schemaSdl;
}
