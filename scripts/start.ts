// `npm start`: migrate, seed on first run, and serve the gateway and the three subgraphs in one process.
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { DEMO_IDS, isSeeded, seedDatabase } from '../db/seed/index.ts';
import { authOptions, ConfigError, loadConfig, operationsOptions } from '../gateway/config.ts';
import { createLogger } from '../gateway/logger.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { answerHelp, isOperatorError, runCli } from './cli.ts';
import { stopOnSignals } from './shutdown.ts';
import { startSystem } from './system.ts';

answerHelp(`npm start

Migrates, seeds the embedded database on its first run, and serves the gateway and the three subgraphs in one
process. Configuration: environment variables, see the README's Configuration section.`);

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const handle = await createDatabase(databaseConfigFromEnv());
  let system: Awaited<ReturnType<typeof startSystem>> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nShutting down…');
    await system?.close().catch(() => {});
    await handle.close().catch(() => {});
    process.exit(code);
  };
  stopOnSignals(() => stop(0), { timeoutMs: config.shutdownTimeoutMs });
  try {
    console.log(`Database: ${handle.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.pgliteDir}`}`);
    await handle.migrate();
    if (!(await isSeeded(handle.db))) {
      console.log(`First run: seeding ${config.seedCandidates} candidates…`);
      const summary = await seedDatabase(handle.db, { candidates: config.seedCandidates });
      console.log(`Seeded in ${summary.ms} ms.`);
    }
    const keys = await loadOrCreateDevKeys(config.keysDir);
    system = await startSystem({
      db: handle.db,
      keys,
      auth: authOptions(config, keys.issuer.jwks),
      host: config.host,
      production: config.production,
      ports: { gateway: config.gatewayPort, ...config.subgraphPorts },
      gateway: { subgraphConnections: config.subgraphConnections, logger: createLogger({ level: config.logLevel }), ...operationsOptions(config) },
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
  console.log(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.
  gateway    ${s.gateway.url}
  users      ${s.subgraphs.users.url}
  employers  ${s.subgraphs.employers.url}
  marketing  ${s.subgraphs.marketing.url}

Get a token for the demo candidate:
  npm run --silent token -- --role candidate --sub ${DEMO_IDS.candidate}

Then ask for their own record across all three subgraphs:
  curl -s ${s.gateway.url} -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" -H 'x-purpose: SERVICE_PROVISION' \\
    -d '{"query":"{ me { fullName email address { prefecture } applications { status job { title employer { name } } } marketingProfile { adIdentifiers { kind } } } }"}'

Press Ctrl-C to stop.`);
}

await runCli(main);
