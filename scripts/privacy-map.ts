// `npm run privacy-map`: writes docs/privacy-map.md from the purpose tables and the composed supergraph.
import { mkdir, writeFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { readPrivacyIndex } from '../directives/policy.ts';
import { renderPrivacyMap } from '../directives/privacy-map.ts';
import { composeSupergraph } from './composition.ts';
import { PRIVACY_MAP_FILE } from '../gateway/docs.ts';

await mkdir('docs', { recursive: true });
await writeFile(PRIVACY_MAP_FILE, renderPrivacyMap(readPrivacyIndex(parse(composeSupergraph())).index));
console.log(`Wrote ${PRIVACY_MAP_FILE}`);
