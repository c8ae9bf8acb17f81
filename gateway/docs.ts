import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Generated documentation of every personal field (`npm run privacy-map`). */
export const PRIVACY_MAP_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'privacy-map.md');
