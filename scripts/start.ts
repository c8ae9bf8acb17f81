// `npm start [-- --seed]`: migrate, seed when the policy says so, and serve the gateway and the three subgraphs in one process.
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { DEMO_IDS } from '../db/seed/demo.ts';
import { isSeeded } from '../db/seed/state.ts';
import { EXPLORER_PATH } from '../gateway/plugins/explorer/index.ts';
import { authOptions, ConfigError, loadConfig, operationsOptions } from '../gateway/config.ts';
import { createLogger } from '../gateway/logger.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { answerHelp, isOperatorError, parseFlags, runCli } from './cli.ts';
import { startSeeding } from './seeding.ts';
import { stopOnSignals } from './shutdown.ts';
import { startSystem } from './system.ts';
import { startTracingFromEnv } from '../telemetry/tracing.ts';

answerHelp(`npm start [-- --seed]

Migrates the database and serves the gateway and the three subgraphs in one process.

Demo data (SEED_CANDIDATES candidates, default 2000) goes into an empty database:
  embedded PGlite (DATABASE_URL unset)  on its first run
  PostgreSQL (DATABASE_URL set)         only with --seed; several processes starting with --seed at once seed it once
  NODE_ENV=production                   never; --seed is refused

Options:
  --seed   seed an empty PostgreSQL database with demo data (npm run seed seeds with other sizes and seeds)
  --help   this text

Configuration: environment variables, see the README's Configuration section.`);

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

async function main() {
  const started = Date.now();
  const flags = parseFlags('npm start', { seed: { type: 'boolean' } });
  const config = loadConfig();
  const tracing = startTracingFromEnv('privacy-gateway');
  const seeding = startSeeding({ database: config.databaseUrl ? 'postgres' : 'pglite', production: config.production, seedFlag: flags.seed === true });
  const handle = await createDatabase(databaseConfigFromEnv());
  let system: Awaited<ReturnType<typeof startSystem>> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nShutting down…');
    await system?.close().catch(() => {});
    await handle.close().catch(() => {});
    await tracing.shutdown().catch(() => {});
    process.exit(code);
  };
  stopOnSignals(() => stop(0), { timeoutMs: config.shutdownTimeoutMs });
  try {
    console.log(`Database: ${handle.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.pgliteDir}`}`);
    await handle.migrate();
    if (!(await isSeeded(handle.db))) {
      if (seeding.kind === 'leave') console.log(seeding.whenEmpty);
      else {
        console.log(`${handle.kind === 'pglite' ? 'First run: s' : 'S'}eeding ${config.seedCandidates} candidates…`);
        // The generator is a development dependency: loaded only when demo data is written.
        const { seedIfEmpty } = await import('../db/seed/index.ts');
        const summary = await seedIfEmpty(handle.db, { candidates: config.seedCandidates });
        console.log(summary ? `Seeded in ${summary.ms} ms.` : 'Another process seeded the database meanwhile; nothing to do.');
      }
    }
    const keys = await loadOrCreateDevKeys(config.keysDir);
    const logger = createLogger({ level: config.logLevel });
    system = await startSystem({
      db: handle.db,
      keys,
      auth: authOptions(config, keys.issuer.jwks),
      host: config.host,
      production: config.production,
      ports: { gateway: config.gatewayPort, ...config.subgraphPorts },
      gateway: { subgraphConnections: config.subgraphConnections, logger, ...operationsOptions(config) },
      retention: { intervalMs: config.retentionIntervalMs, logger },
    });
  } catch (error) {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (isOperatorError(error)) {
      console.error(error.message);
      await stop(2);
      return;
    }
    else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`A port is already in use (${(error as Error).message}). Stop the other process or set PORT / USERS_PORT / EMPLOYERS_PORT / MARKETING_PORT.`);
    } else console.error(error instanceof Error ? error.message : error);
    await stop(1);
    return;
  }
  const s = system;
  // With a real issuer (JWKS_URL, always so in production) `npm run token` refuses to sign, so it is not offered.
  const tokens = config.jwksUrl
    ? `Tokens come from the issuer whose keys JWKS_URL serves (iss ${config.issuer}, aud ${config.audience}).
With a candidate's token in $TOKEN, ask for their own record across all three subgraphs:`
    : `Get a token for the demo candidate:
  TOKEN=$(npm run --silent token -- --role candidate --sub ${DEMO_IDS.candidate})

Then ask for their own record across all three subgraphs:`;
  console.log(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.
  gateway    ${s.gateway.url}${config.production ? '' : `\n  explorer   ${new URL(EXPLORER_PATH, s.gateway.url)}`}
  users      ${s.subgraphs.users.url}
  employers  ${s.subgraphs.employers.url}
  marketing  ${s.subgraphs.marketing.url}

${tokens}
  curl -s ${s.gateway.url} -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" -H 'x-purpose: SERVICE_PROVISION' \\
    -d '{"query":"{ me { fullName email address { prefecture } applications { status job { title employer { name } } } marketingProfile { adIdentifiers { kind } } } }"}'

Press Ctrl-C to stop.`);
}

await runCli(main);
