// When `npm start` fills the database with demo data: the embedded one on its first run, PostgreSQL only when
// asked (`--seed`), production never.
import { UsageError } from './cli.ts';

/** What `npm start` does about demo data: seed an empty database, or leave it and say why when it is empty. */
export type StartSeeding = { kind: 'seed' } | { kind: 'leave'; whenEmpty: string };

export interface StartSeedingInput {
  database: 'pglite' | 'postgres';
  production: boolean;
  /** `npm start -- --seed` */
  seedFlag: boolean;
}

/**
 * Decides from where the data lives, the mode and the flag; `--seed` in production is a UsageError.
 * @example startSeeding({ database: 'postgres', production: false, seedFlag: true }) // { kind: 'seed' }
 */
export function startSeeding({ database, production, seedFlag }: StartSeedingInput): StartSeeding {
  if (production) {
    if (seedFlag) throw new UsageError('npm start: --seed is refused with NODE_ENV=production: demo data never goes into a production database.');
    return { kind: 'leave', whenEmpty: 'The database holds no candidates (NODE_ENV=production never seeds demo data).' };
  }
  if (database === 'pglite' || seedFlag) return { kind: 'seed' };
  return {
    kind: 'leave',
    whenEmpty: 'The database holds no candidates: to fill it with demo data, start with `npm start -- --seed` (or run `npm run seed`).',
  };
}
