// `npm run compose`: composes the supergraph from the three subgraph SDLs into gateway/supergraph.graphql.
import { writeFile } from 'node:fs/promises';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.ts';
import { composeSupergraph } from './composition.ts';
import { answerHelp } from './cli.ts';

answerHelp(`npm run compose

Composes the supergraph from subgraphs/*/schema.graphql into gateway/supergraph.graphql.`);

await writeFile(SUPERGRAPH_FILE, composeSupergraph());
console.log(`Wrote ${SUPERGRAPH_FILE}`);
