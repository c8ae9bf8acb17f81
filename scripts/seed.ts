/**
 * Seeds the database with deterministic demo data.
 * Usage: npm run seed -- [--candidates N] [--seed S] [--reset]
 * Uses DATABASE_URL when set, otherwise the embedded PGlite under .data/pglite; refused with NODE_ENV=production.
 */
import { sql } from 'drizzle-orm';
import { createDatabase, type DatabaseHandle } from '../db/client.ts';
import { AlreadySeededError, SEED_DEFAULTS, seedDatabase } from '../db/seed/index.ts';
import { loadDatabaseConfig } from '../gateway/config.ts';
import { runCli, UsageError } from './cli.ts';

const USAGE = `usage: npm run seed -- [--candidates N] [--seed S] [--reset]

Fills an empty database (DATABASE_URL, or the embedded one under .data/pglite) with deterministic demo data.
  --candidates N   candidates to generate (default ${SEED_DEFAULTS.candidates}); employers, jobs and applications scale with it
  --seed S         random seed (default ${SEED_DEFAULTS.seed}): the same seed and count give the same data
  --reset          drop the project's schemas first (every row is lost)
Refused with NODE_ENV=production: demo data never goes into a production database.`;

interface Args {
  candidates: number;
  seed: number;
  reset: boolean;
}

function parseArgs(argv: readonly string[]): Args | { help: true } {
  const args: Args = { candidates: SEED_DEFAULTS.candidates, seed: SEED_DEFAULTS.seed, reset: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`npm run seed: ${flag} needs a value; see \`npm run seed -- --help\`.`);
      return v;
    };
    switch (flag) {
      case '--candidates':
        args.candidates = integer(flag, value(), 1);
        break;
      case '--seed':
        args.seed = integer(flag, value(), 0);
        break;
      case '--reset':
        if (inline !== undefined) throw new UsageError('npm run seed: --reset takes no value; see `npm run seed -- --help`.');
        args.reset = true;
        break;
      case '--help':
      case '-h':
        return { help: true };
      default:
        throw new UsageError(`npm run seed: unknown argument ${arg.startsWith('-') ? arg.split('=')[0] : '(a positional one)'}; see \`npm run seed -- --help\`.`);
    }
  }
  return args;
}

function integer(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`npm run seed: ${flag} must be an integer >= ${min}; see \`npm run seed -- --help\`.`);
  return n;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  const args = parsed;
  if (process.env.NODE_ENV === 'production') {
    throw new UsageError('npm run seed: refused with NODE_ENV=production: demo data never goes into a production database.');
  }

  const config = loadDatabaseConfig();
  let handle: DatabaseHandle | undefined;
  try {
    handle = await createDatabase(config);
    if (args.reset) {
      // The consent ledger refuses DELETE and TRUNCATE by design, so a reset drops and recreates the schemas.
      await handle.db.execute(sql`drop schema if exists users, employers, marketing, privacy, drizzle cascade`);
    }
    await handle.migrate();
    const s = await seedDatabase(handle.db, { candidates: args.candidates, seed: args.seed });
    console.log(
      `seeded ${s.candidates} candidates, ${s.employers} employers, ${s.jobs} jobs, ${s.applications} applications, ` +
        `${s.campaigns} campaigns, ${s.recipients} campaign recipients, ${s.adIdentifiers} ad identifiers, ` +
        `${s.surveyResponses} survey responses, ${s.consentEvents} consent events (seed ${args.seed}, ${config.kind}) in ${s.ms} ms`,
    );
    return 0;
  } catch (error) {
    if (error instanceof AlreadySeededError) {
      console.error(`seed: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await handle?.close();
  }
}

await runCli(async () => {
  process.exitCode = await main();
});
