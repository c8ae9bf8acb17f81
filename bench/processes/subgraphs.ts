// Bench child: the three subgraphs on one database (and, on PGlite, the consent lookups of the gateways).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDatabase, type DatabaseConfig } from '../../db/client.ts';
import { createConsentLoader } from '../../gateway/consent.ts';
import { loadOrCreateDevKeys } from '../../gateway/keys.ts';
import { startSubgraphs } from '../../scripts/system.ts';
import { runChild } from './child.ts';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

/**
 * PGlite lives inside one process, so on PGlite the gateways load consents from here over HTTP
 * (an extra hop PostgreSQL does not need; the output says PGlite figures are not representative).
 */
async function serveConsents(loadConsents: ReturnType<typeof createConsentLoader>) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const ids = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
      loadConsents(ids).then(
        (map) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify([...map]));
        },
        () => {
          res.statusCode = 500;
          res.end();
        },
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/consents`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

runChild(async () => {
  const config = JSON.parse(process.env.BENCH_DATABASE!) as DatabaseConfig;
  const handle = await createDatabase(config.kind === 'postgres' ? { ...config, maxConnections: 20 } : config);
  const keys = await loadOrCreateDevKeys(process.env.BENCH_KEYS_DIR!);
  const subgraphs = await startSubgraphs({ db: handle.db, assertionJwks: keys.assertion.jwks, bindingKey: keys.bindingKey, host: '127.0.0.1' });
  const consents = handle.kind === 'pglite' ? await serveConsents(createConsentLoader(handle.db)) : null;
  return {
    info: { urls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])), consentUrl: consents?.url ?? null },
    close: async () => {
      await consents?.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.close()));
      await handle.close();
    },
  };
});
