// `npm run start:gateway`: the gateway alone, in front of subgraphs at USERS_URL, EMPLOYERS_URL, MARKETING_URL.
import { readFileSync } from 'node:fs';
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { authOptions, loadConfig, operationsOptions } from '../gateway/config.ts';
import { createConsentLoader } from '../gateway/consent.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { createLogger } from '../gateway/logger.ts';
import { startGateway } from '../gateway/server.ts';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.ts';
import { answerHelp, runCli } from './cli.ts';
import { stopOnSignals } from './shutdown.ts';
import { asWorker } from './workers.ts';
import { startTracingFromEnv } from '../telemetry/tracing.ts';

answerHelp(`npm run start:gateway

The gateway alone, in front of subgraphs at USERS_URL, EMPLOYERS_URL and MARKETING_URL (needs DATABASE_URL:
the embedded database serves one process only). GATEWAY_WORKERS=N runs N worker processes sharing the port;
SUBGRAPH_CA_FILE makes it trust only that authority for https subgraph URLs.`);

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

await runCli(async () => {
  const config = loadConfig();
  // With workers, this process only supervises them (scripts/workers.ts); each worker runs what follows.
  if (!(await asWorker({ count: config.gatewayWorkers, stopTimeoutMs: config.shutdownTimeoutMs + 5_000 }))) return;
  const tracing = startTracingFromEnv('gateway');
  const handle = await createDatabase(databaseConfigFromEnv());
  await handle.migrate();
  const keys = await loadOrCreateDevKeys(config.keysDir);
  const gateway = await startGateway({
    supergraphSdl: readFileSync(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: config.subgraphUrls,
    auth: authOptions(config, keys.issuer.jwks),
    assertionKey: keys.assertion,
    bindingKey: keys.bindingKey,
    pseudonymKey: keys.pseudonymKey,
    loadConsents: createConsentLoader(handle.db),
    audit: { db: handle.db, checkpointKey: keys.audit },
    port: config.gatewayPort,
    host: config.host,
    production: config.production,
    subgraphConnections: config.subgraphConnections,
    ...(config.subgraphCa ? { subgraphCa: config.subgraphCa } : {}),
    database: handle.db,
    logger: createLogger({ level: config.logLevel }),
    ...operationsOptions(config),
  });
  console.log(`gateway at ${gateway.url}${config.gatewayWorkers > 1 ? ` (worker pid ${process.pid})` : ''}`);
  const stop = async () => {
    await gateway.close();
    await handle.close();
    await tracing.shutdown().catch(() => {});
    process.exit(0);
  };
  stopOnSignals(stop, { timeoutMs: config.shutdownTimeoutMs });
});
