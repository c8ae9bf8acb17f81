import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { FastifyRequest } from 'fastify';
import { isProjectError, PrivacyError, ServiceError, toGraphQLError } from '../../directives/errors.ts';
import { createErrorFormatter } from '../errors.ts';
import { createSubgraphFetcher } from '../transport.ts';
import { GatewayContext } from './context.ts';
import { createHttpApp, serveGateway, type ServedGateway } from './http.ts';
import type { Executor, GatewayPlugin, ReadinessCheck, RequestDraft, RequestHeaders } from './plugin.ts';

export interface GatewayCoreOptions {
  supergraphSdl: string;
  /** Where each subgraph really listens (overrides the URLs recorded in the supergraph). */
  subgraphUrls: Readonly<Record<string, string | undefined>>;
  /** The gateway's concerns, in order: request hooks run in this order, the first executor wrapper is outermost. */
  plugins: readonly GatewayPlugin[];
  port?: number;
  host?: string;
  /** Production hides introspection, the landing page and field suggestions. */
  production?: boolean;
  /** Keep-alive connections per subgraph (default 16, `SUBGRAPH_CONNECTIONS`). */
  subgraphConnections?: number;
  /** PEM certificates of the authorities that sign the subgraphs' TLS certificates (for `https://` subgraph URLs). */
  subgraphCa?: string;
  /** How long `close()` lets requests in flight finish before cutting their connections (default 10 s, `SHUTDOWN_TIMEOUT_MS`). */
  shutdownTimeoutMs?: number;
}

export interface RunningGateway extends ServedGateway {
  apollo: ApolloServer<GatewayContext>;
}

function requestHeaders(request: FastifyRequest): RequestHeaders {
  const get = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    get,
    text(name) {
      const raw = get(name);
      if (raw === undefined) return undefined;
      const decoded = Buffer.from(raw, 'latin1').toString('utf8');
      return decoded.includes('\uFFFD') ? raw : decoded;
    },
  };
}

const READINESS_TIMEOUT_MS = 2_000;

/** One plugin's readiness checks; a check that throws or hangs is not ready (fail closed). */
async function pluginReadiness(plugin: GatewayPlugin): Promise<ReadinessCheck[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), READINESS_TIMEOUT_MS).unref();
  });
  try {
    const result = await Promise.race([plugin.readiness!(), timeout]);
    return Array.isArray(result) ? [...result] : [result as ReadinessCheck];
  } catch {
    return [{ name: plugin.name, ok: false }];
  } finally {
    clearTimeout(timer);
  }
}

/** `@apollo/gateway` with the plugins' schema checks and executor wrappers around it. */
function withPlugins(inner: GatewayInterface, plugins: readonly GatewayPlugin[]): { gateway: GatewayInterface; supergraphReady(): boolean } {
  let schemaError: unknown;
  let loaded = false;
  inner.onSchemaLoadOrUpdate((schema) => {
    schemaError = undefined;
    loaded = true;
    for (const plugin of plugins) {
      try {
        plugin.onSchema?.(schema);
      } catch (error) {
        schemaError ??= error;
      }
    }
  });
  const gateway: GatewayInterface = {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    load: async (loadOptions) => {
      const loaded = await inner.load(loadOptions);
      if (schemaError) throw schemaError;
      if (!loaded.executor) return loaded;
      const base = loaded.executor as Executor;
      const wrapped = plugins.reduceRight<Executor>((next, plugin) => (plugin.wrapExecutor ? plugin.wrapExecutor(next) : next), base);
      // A supergraph update that a plugin refused leaves the gateway refusing every operation until a good one loads.
      const guarded: Executor = (requestContext) => {
        if (schemaError) return Promise.reject(new ServiceError('SERVICE_UNAVAILABLE', 'The supergraph was refused.'));
        return wrapped(requestContext);
      };
      return { ...loaded, executor: guarded as typeof loaded.executor };
    },
    stop: () => inner.stop(),
  };
  return { gateway, supergraphReady: () => loaded && !schemaError };
}

/**
 * Starts a gateway over the given supergraph with the given plugins: the core holds the HTTP server, Apollo Server
 * and `@apollo/gateway`; every concern (who asks, why, what they may see) is a plugin.
 * @example await startGatewayCore({ supergraphSdl, subgraphUrls, plugins: [useAuthentication(auth), usePurposeBinding(), …] })
 */
export async function startGatewayCore(options: GatewayCoreOptions): Promise<RunningGateway> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const plugins = options.plugins;
  const production = options.production ?? false;
  const requestHooks = plugins.filter((p) => p.onRequest).map((p) => p.onRequest!.bind(p));
  const subgraphHooks = plugins.filter((p) => p.onSubgraphRequest).map((p) => p.onSubgraphRequest!.bind(p));

  const fetchHooks = plugins.filter((p) => p.onSubgraphFetch).map((p) => p.onSubgraphFetch!.bind(p));
  const responseHooks = plugins.filter((p) => p.onSubgraphResponse).map((p) => p.onSubgraphResponse!.bind(p));
  const extensionHooks = plugins.filter((p) => p.onSubgraphExtensions).map((p) => p.onSubgraphExtensions!.bind(p));
  const transport = createSubgraphFetcher({
    connections: options.subgraphConnections,
    ...(options.subgraphCa ? { ca: options.subgraphCa } : {}),
    ...(fetchHooks.length > 0 ? { beforeSend: (call) => fetchHooks.forEach((hook) => hook(call)) } : {}),
  });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    __exposeQueryPlanExperimental: false,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name] ?? url,
        fetcher:
          responseHooks.length === 0
            ? transport.fetcher
            : async (input, init) => {
                const started = performance.now();
                const report = (failed: boolean) => {
                  const result = { subgraph: name, durationMs: performance.now() - started, failed };
                  for (const hook of responseHooks) hook(result);
                };
                try {
                  const response = await transport.fetcher(input, init);
                  report(response.status >= 400);
                  return response;
                } catch (error) {
                  report(true);
                  throw error;
                }
              },
        async willSendRequest({ request, context }) {
          for (const hook of subgraphHooks) await hook({ subgraph: name, request, context: context as GatewayContext });
        },
        ...(extensionHooks.length > 0
          ? {
              async didReceiveResponse({ response, context }) {
                const extensions = response.extensions;
                if (extensions && typeof extensions === 'object') {
                  for (const hook of extensionHooks) hook({ subgraph: name, extensions, context: context as GatewayContext });
                }
                return response;
              },
            }
          : {}),
      }),
  });

  const app = createHttpApp();
  const guarded = withPlugins(gateway, plugins);
  const runtime = {
    readiness: async (): Promise<ReadinessCheck[]> => [
      { name: 'supergraph', ok: guarded.supergraphReady() },
      ...(await Promise.all(plugins.filter((p) => p.readiness).map(pluginReadiness))).flat(),
    ],
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway: guarded.gateway,
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // The composition root stops the server on SIGTERM/SIGINT (drain, then close): Apollo's own handler would stop it mid-request.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: 5_000 },
    formatError: createErrorFormatter({ hideSuggestions: production }),
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // Responses carry personal data: never cacheable (the HTTP layer sends no-store), so no cache hints are computed.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads Apollo Sandbox from a CDN; the explorer plugin serves GraphiQL locally instead.
      ApolloServerPluginLandingPageDisabled(),
      ...plugins.flatMap((p) => p.apolloPlugins?.() ?? []),
    ],
  });
  const closePlugins = () => Promise.all(plugins.map((p) => p.close?.()));
  try {
    await apollo.start();
    for (const plugin of plugins) await plugin.routes?.(app, runtime);
  } catch (error) {
    await Promise.allSettled([apollo.stop(), transport.close(), closePlugins()]);
    throw error;
  }

  let served: ServedGateway;
  try {
    served = await serveGateway(app, apollo, {
      port: options.port ?? 0,
      host: options.host,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      context: async (request) => {
        const draft: RequestDraft = { requestId: request.id, clientAddress: request.ip, headers: requestHeaders(request) };
        try {
          for (const hook of requestHooks) await hook(draft);
        } catch (error) {
          if (isProjectError(error)) throw toGraphQLError(error);
          throw toGraphQLError(new ServiceError('INTERNAL_SERVER_ERROR', 'A request hook failed.'));
        }
        // Fail closed: no plugin bound the caller to a purpose, so nobody may be answered.
        if (!draft.boundCaller) throw toGraphQLError(new PrivacyError('UNAUTHENTICATED', 'Authentication failed.'));
        return new GatewayContext(draft.requestId, draft.boundCaller, draft.strict ?? false);
      },
    });
  } catch (error) {
    await Promise.allSettled([apollo.stop(), transport.close(), closePlugins()]);
    throw error;
  }
  return {
    get url() {
      return served.url;
    },
    get port() {
      return served.port;
    },
    get requestCount() {
      return served.requestCount;
    },
    apollo,
    close: async () => {
      await served.close();
      await transport.close();
      await closePlugins();
    },
  };
}
