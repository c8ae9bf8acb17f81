import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { privacyDirectiveDefinitions, subgraphLinkSdl } from '../../directives/sdl.ts';
const a = subgraphLinkSdl(['@key', '@shareable']) + privacyDirectiveDefinitions + `
type Query { me: Candidate }
type Candidate @key(fields: "id") @dataSubject(field: "id") { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: [SERVICE_PROVISION], masked: [SUPPORT], mask: EMAIL) @consentRequired(purposes: [MARKETING]) }
`;
const b = subgraphLinkSdl(['@key', '@shareable']) + privacyDirectiveDefinitions + `
type Query { jobs: [String] }
type Candidate @key(fields: "id") { id: ID! applications: [String] @pii(category: CAREER, purposes: [SERVICE_PROVISION]) }
`;
const r = composeServices([{ name: 'users', typeDefs: parse(a), url: 'http://x/1' }, { name: 'employers', typeDefs: parse(b), url: 'http://x/2' }]);
if (r.errors) { console.log(r.errors.map(e => e.message)); process.exit(1); }
console.log(r.supergraphSdl);
console.log('HINTS', r.hints?.map(h=>h.toString()));
const api = r.schema.toAPISchema().toGraphQLJSSchema();
const { printSchema } = await import('graphql');
console.log('---API---\n' + printSchema(api));
