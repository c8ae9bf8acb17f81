import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { CryptoKey } from 'jose';
import type { Caller } from '../directives/caller.ts';
import { isProjectError, PrivacyError, ServiceError } from '../directives/errors.ts';
import type { OperationLimits } from '../directives/enforce/operation.ts';
import type { ConsentLoader } from '../directives/decide.ts';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../directives/protocol/assertion.ts';
import { serveGraphQL, type ServedGraphQL } from '../subgraphs/common/http.ts';
import { createAuthenticator, type AuthOptions } from './auth.ts';
import { usePrivacyEnforcement, type GatewayContext } from './enforcement.ts';
import { createErrorFormatter, toGraphQLError } from './errors.ts';
import { bindPurpose } from './purpose.ts';
import { createSubgraphFetcher } from './transport.ts';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Where each subgraph really listens (overrides the URLs recorded in the supergraph). */
  subgraphUrls: Readonly<Record<string, string | undefined>>;
  auth: AuthOptions;
  assertionKey: { kid: string; privateKey: CryptoKey };
  pseudonymKey: Uint8Array;
  loadConsents: ConsentLoader;
  port?: number;
  host?: string;
  /** Production hides introspection, the landing page and field suggestions. */
  production?: boolean;
  enforcement?: boolean;
  limits?: OperationLimits;
  /** Keep-alive connections per subgraph (default 16, `SUBGRAPH_CONNECTIONS`). */
  subgraphConnections?: number;
}

export interface RunningGateway extends ServedGraphQL {
  apollo: ApolloServer<GatewayContext>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Node reads header bytes as Latin-1; a legal-basis reference may be Japanese, so decode it as UTF-8. */
function utf8Header(req: IncomingMessage, name: string): string | undefined {
  const raw = header(req, name);
  if (raw === undefined) return undefined;
  const decoded = Buffer.from(raw, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? raw : decoded;
}

/**
 * Starts the privacy-enforcing gateway over the given supergraph.
 * @example const gateway = await startGateway({ supergraphSdl, subgraphUrls, auth, assertionKey, pseudonymKey, loadConsents, port: 4000 });
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const authenticate = createAuthenticator(options.auth);
  const sign = createAssertionSigner(options.assertionKey);
  const production = options.production ?? false;

  const transport = createSubgraphFetcher({ connections: options.subgraphConnections });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    __exposeQueryPlanExperimental: false,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name] ?? url,
        fetcher: transport.fetcher,
        async willSendRequest({ request, context }) {
          // An entity fetch names the data subjects the response will hold: their consent is asked for now.
          context.consentPrefetch?.entities(request.variables?.representations);
          // Every subgraph call carries the gateway's signed statement of who asks and why.
          request.http?.headers.set(CALLER_ASSERTION_HEADER, await sign(context.caller));
        },
      }),
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway: usePrivacyEnforcement(gateway, {
      enabled: options.enforcement ?? true,
      limits: options.limits,
      pseudonymKey: options.pseudonymKey,
      loadConsents: options.loadConsents,
    }),
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: 5_000 },
    formatError: createErrorFormatter({ hideSuggestions: production }),
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // Responses carry personal data: never cacheable (serveGraphQL sends no-store), so no cache hints are computed.
      ApolloServerPluginCacheControlDisabled(),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
  await apollo.start();

  const served = await serveGraphQL(apollo, {
    port: options.port ?? 0,
    host: options.host,
    context: async (req): Promise<GatewayContext> => {
      try {
        const caller: Caller = await authenticate(header(req, 'authorization'));
        const bound = bindPurpose(caller, { purpose: header(req, 'x-purpose'), legalBasis: utf8Header(req, 'x-legal-basis') });
        const mode = header(req, 'x-privacy-mode')?.trim().toLowerCase();
        if (mode !== undefined && mode !== 'strict' && mode !== 'lenient') {
          throw new ServiceError('BAD_USER_INPUT', 'x-privacy-mode must be "strict" or "lenient".');
        }
        return { caller: bound, strict: mode === 'strict' };
      } catch (error) {
        if (isProjectError(error)) throw toGraphQLError(error);
        throw toGraphQLError(new PrivacyError('UNAUTHENTICATED', 'Authentication failed.'));
      }
    },
  });
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
    },
  };
}
