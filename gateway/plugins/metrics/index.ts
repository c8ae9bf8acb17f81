import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import { isObjectType } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ConsentLoader } from '../../../directives/decide.ts';
import { outcomeCoordinates, type GatewayContext } from '../../core/context.ts';
import { GRAPHQL_PATH } from '../../core/http.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { createOperationNames } from '../../../telemetry/operation-names.ts';

export interface MetricsOptions {
  /** Serve `/metrics` on this port instead of the gateway's (0 picks a free one); `host` is the gateway's by default. */
  port?: number;
  host?: string;
  /** Distinct operation names reported before new ones become `other` (default 200). */
  operationNames?: number;
  /** Node's process metrics (memory, event loop, GC; default on). */
  processMetrics?: boolean;
}

/** The metrics plugin, with what the composition root wires around it. */
export interface MetricsPlugin extends GatewayPlugin {
  readonly registry: Registry;
  /** The consent loader, counted and timed (lookups, latency, failures). */
  instrumentConsentLoader(loader: ConsentLoader): ConsentLoader;
  /** Where `/metrics` is served when it has a port of its own (after the gateway started). */
  readonly url: string | undefined;
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics with prom-client, in a registry of this gateway's own: request duration by bounded operation
 * name and outcome; redactions, masks and consent denials by coordinate (only coordinates of the loaded schema,
 * anything else is `other`) and purpose; consent lookups; subgraph call latency and errors. No label holds a value,
 * a subject or anything a client chose beyond a bounded operation name.
 * @example const metrics = useMetrics(); startGateway({ …, loadConsents: metrics.instrumentConsentLoader(loader), plugins: [metrics] })
 */
export function useMetrics(options: MetricsOptions = {}): MetricsPlugin {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const bounded = createOperationNames(options.operationNames);
  let coordinates: ReadonlySet<string> = new Set();
  const coordinate = (name: string) => (coordinates.has(name) ? name : 'other');

  const requestDuration = new Histogram({
    name: 'gateway_request_duration_seconds',
    help: 'GraphQL requests by operation name (bounded) and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const privacyCounter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['coordinate', 'purpose'] as const, registers: [registry] });
  const redactions = privacyCounter('gateway_redactions_total', 'Coordinates withheld from an answer (purpose or role), by coordinate and purpose.');
  const masks = privacyCounter('gateway_masks_total', 'Values released masked, by coordinate and purpose.');
  const consentDenials = privacyCounter('gateway_consent_denials_total', 'Coordinates withheld for want of consent, by coordinate and purpose.');
  const consentLookups = new Counter({ name: 'gateway_consent_lookups_total', help: 'Consent lookups by result.', labelNames: ['result'] as const, registers: [registry] });
  const consentLatency = new Histogram({ name: 'gateway_consent_lookup_duration_seconds', help: 'Consent lookup latency.', buckets: SECONDS, registers: [registry] });
  const subgraphLatency = new Histogram({
    name: 'gateway_subgraph_request_duration_seconds',
    help: 'Calls to the subgraphs by subgraph.',
    labelNames: ['subgraph'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const subgraphErrors = new Counter({
    name: 'gateway_subgraph_errors_total',
    help: 'Subgraph calls that failed (network error or HTTP status >= 400), by subgraph.',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  });
  let subgraphs: ReadonlySet<string> = new Set();

  const operations = new Map<string, { operation: string; failed: boolean }>();
  const apollo: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      const entry = { operation: 'anonymous', failed: false };
      operations.set(contextValue.requestId, entry);
      return {
        async didResolveOperation({ operationName, operation }) {
          entry.operation = bounded(operationName ?? operation?.name?.value);
        },
        async didEncounterErrors({ errors }) {
          entry.failed ||= errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || e.extensions?.code === 'SERVICE_UNAVAILABLE');
        },
        async willSendResponse({ contextValue: context }) {
          const outcome = context.privacy;
          if (!outcome) return;
          const purpose = context.caller.purpose;
          const { redacted, consentDenied, masked } = outcomeCoordinates(outcome);
          // One increment per coordinate (a page of 100 candidates masks one coordinate 100 times).
          for (const [counter, list] of [[redactions, redacted], [consentDenials, consentDenied], [masks, masked]] as const) {
            if (list.length === 0) continue;
            const byCoordinate = new Map<string, number>();
            for (const c of list) byCoordinate.set(c, (byCoordinate.get(c) ?? 0) + 1);
            for (const [c, n] of byCoordinate) counter.inc({ coordinate: coordinate(c), purpose }, n);
          }
        },
      };
    },
  };

  const serveMetrics = async () => ({ contentType: registry.contentType, body: await registry.metrics() });
  let server: http.Server | undefined;
  let url: string | undefined;

  return {
    name: 'metrics',
    registry,
    get url() {
      return url;
    },
    onSchema({ apiSchema, coreSupergraphSdl }) {
      const found = new Set<string>();
      for (const type of Object.values(apiSchema.getTypeMap())) {
        if (type.name.startsWith('__') || !isObjectType(type)) continue;
        for (const field of Object.keys(type.getFields())) found.add(`${type.name}.${field}`);
      }
      coordinates = found;
      subgraphs = new Set([...coreSupergraphSdl.matchAll(/@join__graph\(name: "(\w+)"/g)].map((m) => m[1]!));
    },
    onSubgraphResponse({ subgraph, durationMs, failed }) {
      const label = subgraphs.has(subgraph) ? subgraph : 'other';
      subgraphLatency.observe({ subgraph: label }, durationMs / 1000);
      if (failed) subgraphErrors.inc({ subgraph: label });
    },
    apolloPlugins: () => [apollo],
    async routes(app) {
      // A request whose client went away has no response: its entry goes with it.
      app.addHook('onRequestAbort', async (request) => {
        operations.delete(request.id);
      });
      app.addHook('onResponse', async (request, reply) => {
        const entry = operations.get(request.id);
        operations.delete(request.id);
        if ((request.url.split('?')[0] ?? '') !== GRAPHQL_PATH) return;
        const status = reply.statusCode;
        const outcome = status === 429 ? 'rate_limited' : status >= 500 || entry?.failed ? 'error' : status >= 400 ? 'refused' : 'ok';
        requestDuration.observe({ operation: entry?.operation ?? 'none', outcome }, reply.elapsedTime / 1000);
      });
      if (options.port === undefined) {
        app.get('/metrics', async (_request, reply) => {
          const { contentType, body } = await serveMetrics();
          return reply.header('content-type', contentType).send(body);
        });
        return;
      }
      server = http.createServer((req, res) => {
        if ((req.url ?? '').split('?')[0] !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        serveMetrics().then(
          ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
          () => res.writeHead(500).end(),
        );
      });
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.port, host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
    },
    instrumentConsentLoader(loader) {
      return async (ids, scope) => {
        const stop = consentLatency.startTimer();
        try {
          const result = await loader(ids, scope);
          consentLookups.inc({ result: 'ok' });
          return result;
        } catch (error) {
          consentLookups.inc({ result: 'failed' });
          throw error;
        } finally {
          stop();
        }
      };
    },
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
