import { readFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readPrivacyIndex } from '../directives/policy.ts';
import { composeSupergraph, SUPERGRAPH_FILE } from './compose.ts';

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
});
