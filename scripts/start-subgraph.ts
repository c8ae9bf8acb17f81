// `npm run start:<users|employers|marketing>`: one subgraph alone (it trusts the gateway keys in KEYS_DIR).
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { answerHelp, runCli } from './cli.ts';
import { stopOnSignals } from './shutdown.ts';
import { allSubgraphs } from './system.ts';
import { loadConfig } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { createLogger } from '../gateway/logger.ts';
import { startSubgraph } from '../subgraphs/common/server.ts';
import { startTracingFromEnv } from '../telemetry/tracing.ts';

answerHelp(`npm run start:<users|employers|marketing>

One subgraph alone (needs DATABASE_URL: the embedded database serves one process only). It trusts the gateway
keys in KEYS_DIR; with TLS_CERT_FILE and TLS_KEY_FILE it serves HTTPS only.`);

await runCli(async () => {
  const name = process.argv[2];
  const definition = allSubgraphs().find((d) => d.name === name);
  if (!definition) {
    console.error('Usage: tsx scripts/start-subgraph.ts <users|employers|marketing>');
    process.exit(2);
  }
  const config = loadConfig();
  const tracing = startTracingFromEnv(definition.name);
  const handle = await createDatabase(databaseConfigFromEnv());
  await handle.migrate();
  const keys = await loadOrCreateDevKeys(config.keysDir);
  const served = await startSubgraph(definition, {
    db: handle.db,
    assertionJwks: keys.assertion.jwks,
    bindingKey: keys.bindingKey,
    ...(keys.previousBindingKey ? { previousBindingKey: keys.previousBindingKey } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
    port: config.subgraphPorts[definition.name],
    host: config.host,
    retention: { intervalMs: config.retentionIntervalMs, logger: createLogger({ level: config.logLevel, name: definition.name }) },
  });
  console.log(`${definition.name} subgraph at ${served.url}`);
  const stop = async () => {
    await served.close();
    await handle.close();
    await tracing.shutdown().catch(() => {});
    process.exit(0);
  };
  stopOnSignals(stop, { timeoutMs: config.shutdownTimeoutMs });
});
