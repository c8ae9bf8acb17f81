// Local composition (no registry, no introspection): the subgraphs are known by their SDL files only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { subgraphSdl } from '../directives/sdl.ts';
import type { SubgraphName } from '../gateway/config.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each subgraph of the graph: its name, its SDL file and where it listens by default. */
export const SUBGRAPH_SOURCES: readonly { name: SubgraphName; sdlFile: string; url: string }[] = [
  { name: 'users', sdlFile: path.join(ROOT, 'subgraphs/users/schema.graphql'), url: 'http://localhost:4001/graphql' },
  { name: 'employers', sdlFile: path.join(ROOT, 'subgraphs/employers/schema.graphql'), url: 'http://localhost:4002/graphql' },
  { name: 'marketing', sdlFile: path.join(ROOT, 'subgraphs/marketing/schema.graphql'), url: 'http://localhost:4003/graphql' },
];

/**
 * Composes the supergraph from the subgraphs' SDL files; throws with every composition error.
 * @example const sdl = composeSupergraph();
 */
export function composeSupergraph(sources = SUBGRAPH_SOURCES): string {
  const result = composeServices(
    sources.map((s) => ({ name: s.name, typeDefs: parse(subgraphSdl(readFileSync(s.sdlFile, 'utf8'))), url: s.url })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
