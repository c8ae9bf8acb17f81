import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, printSchema, printType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readPrivacyIndex } from '../directives/policy.ts';
import { subgraphSdl } from '../directives/sdl.ts';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.ts';
import { composeSupergraph, SUBGRAPH_SOURCES } from './composition.ts';
import { allSubgraphs } from './system.ts';

describe('supergraph', () => {
  it('composes from the three subgraphs and the committed file is current (run `npm run compose`)', async () => {
    const composed = composeSupergraph();
    const committed = await readFile(SUPERGRAPH_FILE, 'utf8');
    expect(committed).toBe(composed);
  });

  it('carries the privacy directives of every subgraph', () => {
    const { index, problems } = readPrivacyIndex(parse(composeSupergraph()));
    expect(problems).toEqual([]);
    expect(index.fields.get('Candidate.email')?.kind).toBe('pii');
    expect(index.fields.get('Candidate.applications')?.kind).toBe('pii'); // employers
    expect(index.fields.get('Candidate.marketingProfile')?.kind).toBe('pii'); // marketing
    expect(index.subjects.get('Candidate')).toBe('id');
  });

  it('composes from exactly the SDL each subgraph serves', () => {
    for (const definition of allSubgraphs()) {
      const source = SUBGRAPH_SOURCES.find((s) => s.name === definition.name)!;
      const fromFile = buildSubgraphSchema({ typeDefs: parse(subgraphSdl(readFileSync(source.sdlFile, 'utf8'))) });
      const served = buildSubgraphSchema({ typeDefs: definition.typeDefs });
      expect(printSchema(served), definition.name).toBe(printSchema(fromFile));
    }
    expect(SUBGRAPH_SOURCES.map((s) => s.name).sort()).toEqual(allSubgraphs().map((d) => d.name).sort());
  });

  it('serves one generated StatisticsTable in every subgraph that releases statistics, and refuses a hand-written one', () => {
    const shapes = allSubgraphs().flatMap((d) => {
      const schema = buildSubgraphSchema({ typeDefs: d.typeDefs });
      const table = schema.getType('StatisticsTable');
      const cell = schema.getType('StatisticsCell');
      return table && cell ? [`${printType(table)}\n${printType(cell)}`] : [];
    });
    expect(shapes).toHaveLength(3);
    expect(new Set(shapes).size).toBe(1);
    expect(shapes[0]).toContain('A released table of noisy counts.');
    expect(() => subgraphSdl('type Query { t: StatisticsTable }\ntype StatisticsTable { x: Int }')).toThrow(/StatisticsTable is generated/);
  });
});
