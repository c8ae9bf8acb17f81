import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import type { SubgraphDefinition } from '../subgraphs/common/context.ts';
import { employersSubgraph } from '../subgraphs/employers/index.ts';
import { marketingSubgraph } from '../subgraphs/marketing/index.ts';
import { usersSubgraph } from '../subgraphs/users/index.ts';

export type SubgraphName = SubgraphDefinition['name'];

/** The committed supergraph, composed from the three subgraph SDLs by `npm run compose`. */
export const SUPERGRAPH_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'supergraph.graphql');

export const DEFAULT_SUBGRAPH_URLS: Record<SubgraphName, string> = {
  users: 'http://localhost:4001/graphql',
  employers: 'http://localhost:4002/graphql',
  marketing: 'http://localhost:4003/graphql',
};

export function allSubgraphs(): SubgraphDefinition[] {
  return [usersSubgraph(), employersSubgraph(), marketingSubgraph()];
}

/**
 * Composes the supergraph locally (no registry, no introspection); throws with every composition error.
 * @example const sdl = composeSupergraph(allSubgraphs());
 */
export function composeSupergraph(
  definitions: readonly SubgraphDefinition[] = allSubgraphs(),
  urls: Record<SubgraphName, string> = DEFAULT_SUBGRAPH_URLS,
): string {
  const result = composeServices(definitions.map((d) => ({ name: d.name, typeDefs: d.typeDefs, url: urls[d.name] })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
