// Bench child: one gateway under test — ours (enforcement on or off), plain @apollo/gateway with hand-written checks,
// or Hive Gateway (JS or Rust query planner, bench/processes/hive.ts) with the same checks.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { request } from 'undici';
import { createDatabase } from '../../db/client.ts';
import type { BoundCaller } from '../../directives/caller.ts';
import type { ConsentLoader, ConsentRecord } from '../../directives/decide.ts';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../../directives/protocol/assertion.ts';
import { bindCall, CALLER_BINDING_HEADER } from '../../directives/protocol/binding.ts';
import { createAuthenticator, type AuthOptions } from '../../gateway/plugins/authentication/auth.ts';
import type { SubgraphName } from '../../gateway/config.ts';
import { createConsentLoader } from '../../gateway/consent.ts';
import { loadOrCreateDevKeys } from '../../gateway/keys.ts';
import { bindPurpose } from '../../gateway/plugins/purpose/bind.ts';
import { startGateway, type GatewayOptions } from '../../gateway/server.ts';
import type { AuditWriterMetrics } from '../../audit/writer.ts';
import { createLogger } from '../../gateway/logger.ts';
import { pino } from 'pino';
import { counters, runChild } from './child.ts';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

/** What the orchestrator tells a gateway child (JSON in BENCH_GATEWAY). */
export interface GatewayChildConfig {
  kind: 'plain' | 'ours' | 'hive';
  enforcement: boolean;
  /** Hive Gateway's query planner (kind 'hive' only): its own JS planner or Hive Router's Rust one. */
  planner?: 'js' | 'rust';
  supergraphFile: string;
  subgraphUrls: Record<SubgraphName, string>;
  keysDir: string;
  auth: AuthOptions;
  /** PostgreSQL URL for consent lookups, or the subgraphs process's consent endpoint on PGlite. */
  consents: { kind: 'postgres'; url: string } | { kind: 'http'; url: string };
  /** Our gateway writes the access log and provision records unless this is false (default: BENCH_AUDIT=off turns it off). */
  audit?: boolean;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Plain @apollo/gateway as users would set it up: default fetcher, Apollo's standalone server, JWT check, signed assertion. */
async function startPlain(config: GatewayChildConfig, supergraphSdl: string) {
  const keys = await loadOrCreateDevKeys(config.keysDir);
  const authenticate = createAuthenticator(config.auth);
  const sign = createAssertionSigner(keys.assertion);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const source = new RemoteGraphQLDataSource<{ caller: BoundCaller }>({
        url: config.subgraphUrls[name as SubgraphName] ?? url,
        async willSendRequest({ request, context }) {
          request.http?.headers.set(CALLER_ASSERTION_HEADER, await sign(context.caller));
        },
      });
      // The default fetcher, with the assertion bound to the exact body as the subgraphs require.
      const fetcher = source.fetcher;
      source.fetcher = (target, init) => {
        const headers = { ...(init?.headers as Record<string, string>) };
        headers[CALLER_BINDING_HEADER] = bindCall(keys.bindingKey, headers[CALLER_ASSERTION_HEADER]!, String(init?.body ?? ''));
        return fetcher(target, { ...init, headers });
      };
      return source;
    },
  });
  const server = new ApolloServer<{ caller: BoundCaller }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      try {
        const caller = await authenticate(header(req.headers.authorization));
        return { caller: bindPurpose(caller, { purpose: header(req.headers['x-purpose']), legalBasis: header(req.headers['x-legal-basis']) }) };
      } catch {
        throw new GraphQLError('Authentication failed.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
    },
  });
  return { info: { url }, close: () => server.stop() };
}

async function startOurs(config: GatewayChildConfig, supergraphSdl: string) {
  const keys = await loadOrCreateDevKeys(config.keysDir);
  let loadConsents: ConsentLoader;
  let closeDb = async () => {};
  let audit: GatewayOptions['audit'] = 'off';
  const auditOn = config.enforcement && (config.audit ?? process.env.BENCH_AUDIT !== 'off');
  if (config.consents.kind === 'postgres') {
    const handle = await createDatabase({ kind: 'postgres', url: config.consents.url, maxConnections: 10 });
    loadConsents = createConsentLoader(handle.db);
    // The writer has its own connections: its batches never wait behind consent lookups.
    const log = auditOn ? await createDatabase({ kind: 'postgres', url: config.consents.url, maxConnections: 2 }) : null;
    // BENCH_AUDIT_BATCH_WINDOW_MS: how long a batch's first record waits for others (the writer's default, 0, otherwise).
    const windowMs = process.env.BENCH_AUDIT_BATCH_WINDOW_MS ? Number(process.env.BENCH_AUDIT_BATCH_WINDOW_MS) : undefined;
    if (log) audit = { db: log.db, checkpointKey: keys.audit, ...(windowMs === undefined ? {} : { batchWindowMs: windowMs }) };
    closeDb = async () => {
      await handle.close();
      await log?.close();
    };
  } else {
    if (auditOn) {
      throw new Error('The access log needs PostgreSQL (the embedded database belongs to the subgraphs process): set DATABASE_URL, or BENCH_AUDIT=off to measure without it.');
    }
    const url = config.consents.url;
    loadConsents = async (ids) => {
      const response = await request(url, { method: 'POST', body: JSON.stringify(ids) });
      if (response.statusCode !== 200) throw new Error(`consent lookup failed: HTTP ${response.statusCode}`);
      const entries = (await response.body.json()) as [string, (Omit<ConsentRecord, 'expiresAt'> & { expiresAt: string | null })[]][];
      return new Map(entries.map(([id, rows]) => [id, rows.map((r) => ({ ...r, expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt) }))]));
    };
  }
  const gateway = await startGateway({
    supergraphSdl,
    subgraphUrls: config.subgraphUrls,
    auth: config.auth,
    assertionKey: keys.assertion,
    bindingKey: keys.bindingKey,
    pseudonymKey: keys.pseudonymKey,
    loadConsents,
    host: '127.0.0.1',
    port: 0,
    production: true,
    enforcement: config.enforcement,
    audit,
    // The load comes from a few callers at thousands of requests a second: the limits would measure themselves.
    rateLimits: false,
    // As in production: a log line per request at info (written to /dev/null: what costs is building it) and metrics on.
    logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) }),
  });
  const writer = gateway.audit;
  if (writer) {
    // The writer's own counts, read at every usage reply: the bench reports rows written per second, batch sizes and
    // commit latency beside each run (counters as deltas over the run, `gauge.` values as they stand at its end).
    const figures: Record<string, (m: AuditWriterMetrics) => number> = {
      auditRows: (m) => m.rows,
      auditBatches: (m) => m.batches,
      auditProvisionRecords: (m) => m.provisionRecords,
      // Disjoint: a refused record never joins a batch. Timeouts apart (a timed-out record's batch may fail as well).
      auditFailedRows: (m) => m.failedRows + m.refusedQueueFull,
      auditTimeouts: (m) => m.timeouts,
      'gauge.auditCommitP50Ms': (m) => m.commitLatencyMs.p50,
      'gauge.auditCommitP99Ms': (m) => m.commitLatencyMs.p99,
    };
    for (const [name, read] of Object.entries(figures)) Object.defineProperty(counters, name, { get: () => read(writer.metrics()), enumerable: true });
  }
  return {
    info: { url: gateway.url, audit: gateway.audit !== null },
    close: async () => {
      await gateway.close();
      await closeDb();
    },
  };
}

runChild(async () => {
  const config = JSON.parse(process.env.BENCH_GATEWAY!) as GatewayChildConfig;
  const { readFile } = await import('node:fs/promises');
  const supergraphSdl = await readFile(config.supergraphFile, 'utf8');
  if (config.kind === 'hive') {
    // Loaded only here, so the other gateways' processes do not carry Hive's modules.
    const { startHive } = await import('./hive.ts');
    return startHive({ planner: config.planner ?? 'js', supergraphSdl, subgraphUrls: config.subgraphUrls, keysDir: config.keysDir, auth: config.auth });
  }
  return config.kind === 'plain' ? startPlain(config, supergraphSdl) : startOurs(config, supergraphSdl);
});
