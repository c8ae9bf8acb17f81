import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed supergraph the gateway serves, composed from the subgraphs' SDL files by `npm run compose`. */
export const SUPERGRAPH_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'supergraph.graphql');
