import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { employersSubgraph } from './employers/index.ts';
import { marketingSubgraph } from './marketing/index.ts';
import { usersSubgraph } from './users/index.ts';

const definitions = [usersSubgraph(), employersSubgraph(), marketingSubgraph()];
const urls = { users: 'http://localhost:4001/graphql', employers: 'http://localhost:4002/graphql', marketing: 'http://localhost:4003/graphql' };

describe('the three subgraphs', () => {
  it('compose into a supergraph without errors', () => {
    const result = composeServices(definitions.map((d) => ({ name: d.name, typeDefs: d.typeDefs, url: urls[d.name] })));
    expect(result.errors ?? []).toEqual([]);
    expect(result.supergraphSdl).toBeDefined();
  });

  it('keep the core schema names of DESIGN.md §3', () => {
    const result = composeServices(definitions.map((d) => ({ name: d.name, typeDefs: d.typeDefs, url: urls[d.name] })));
    const api = result.schema!.toAPISchema().toGraphQLJSSchema();
    const query = api.getQueryType()!.getFields();
    for (const field of ['me', 'candidate', 'candidates', 'jobs', 'campaignAudience']) expect(query).toHaveProperty(field);
    expect(Object.keys(api.getMutationType()!.getFields())).toContain('applyToJob');
    const candidate = api.getType('Candidate');
    const sdl = printSchema(api);
    expect(candidate).toBeDefined();
    for (const field of [
      'fullName', 'fullNameKana', 'email', 'phone', 'birthDate', 'address', 'residenceCard', 'resume',
      'desiredIndustries', 'applications', 'marketingProfile',
    ]) {
      expect(sdl).toMatch(new RegExp(`\\n  ${field}[:(]`));
    }
    expect(sdl).toContain('type CandidateConnection');
    expect(sdl).toContain('type PageInfo');
  });

  it('build as subgraph schemas with their resolvers', () => {
    for (const d of definitions) expect(() => buildSubgraphSchema([{ typeDefs: d.typeDefs, resolvers: d.resolvers }])).not.toThrow();
  });

  it('tag every field of a personal type and keep every @pii field nullable', () => {
    const personalTypes = new Set([
      'Candidate', 'Address', 'ResidenceCard', 'Resume', 'WorkHistoryEntry', 'Application',
      'MarketingProfile', 'AdIdentifier', 'SurveyResponse', 'SurveyAnswer', 'CampaignDelivery',
    ]);
    for (const d of definitions) {
      for (const def of d.typeDefs.definitions) {
        if (def.kind !== 'ObjectTypeDefinition' || !personalTypes.has(def.name.value)) continue;
        for (const field of def.fields ?? []) {
          const names = (field.directives ?? []).map((x) => x.name.value);
          const coordinate = `${d.name}:${def.name.value}.${field.name.value}`;
          expect(names.includes('pii') !== names.includes('notPersonal'), coordinate).toBe(true);
          if (names.includes('pii')) expect(field.type.kind, coordinate).not.toBe('NonNullType');
        }
      }
    }
  });
});
