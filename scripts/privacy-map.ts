// `npm run privacy-map`: writes docs/privacy-map.md from the purpose tables and the composed supergraph.
import { mkdir, writeFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { readPrivacyIndex } from '../directives/policy.ts';
import { renderPrivacyMap } from '../directives/privacy-map.ts';
import { composeSupergraph } from './composition.ts';
import { PRIVACY_MAP_FILE } from '../gateway/docs.ts';
import { answerHelp } from './cli.ts';

answerHelp(`npm run privacy-map

Writes docs/privacy-map.md (every personal field, its purposes, masks and consent) from the subgraphs' schemas.`);

await mkdir('docs', { recursive: true });
await writeFile(PRIVACY_MAP_FILE, renderPrivacyMap(readPrivacyIndex(parse(composeSupergraph())).index));
console.log(`Wrote ${PRIVACY_MAP_FILE}`);
