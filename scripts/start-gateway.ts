// `npm run start:gateway`: the gateway alone, in front of subgraphs at USERS_URL, EMPLOYERS_URL, MARKETING_URL.
import { readFileSync } from 'node:fs';
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { authOptions, loadConfig } from '../gateway/config.ts';
import { createConsentLoader } from '../gateway/consent.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { startGateway } from '../gateway/server.ts';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.ts';
import { answerHelp, runCli } from './cli.ts';

answerHelp(`npm run start:gateway

The gateway alone, in front of subgraphs at USERS_URL, EMPLOYERS_URL and MARKETING_URL (needs DATABASE_URL:
the embedded database serves one process only).`);

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

await runCli(async () => {
  const config = loadConfig();
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
  });
  console.log(`gateway at ${gateway.url}`);
  const stop = async () => {
    await gateway.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
});
