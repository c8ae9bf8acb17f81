// Bench peers H and H-rust: Hive Gateway's JS runtime (@graphql-hive/gateway-runtime), with its own query planner or
// Hive Router's Rust query planner (@graphql-hive/router-runtime), on the same supergraph and subgraphs as A, with
// A's JWT check, signed caller assertion and per-call binding.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler as rustPlanner } from '@graphql-hive/router-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import type { HTTPExecutorOptions } from '@graphql-tools/executor-http';
import { GraphQLError } from 'graphql';
import type { BoundCaller } from '../../directives/caller.ts';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../../directives/protocol/assertion.ts';
import { bindCall, CALLER_BINDING_HEADER } from '../../directives/protocol/binding.ts';
import { createAuthenticator, type AuthOptions } from '../../gateway/plugins/authentication/auth.ts';
import type { SubgraphName } from '../../gateway/config.ts';
import { loadOrCreateDevKeys } from '../../gateway/keys.ts';
import { bindPurpose } from '../../gateway/plugins/purpose/bind.ts';
import { counters } from './child.ts';

export interface HiveOptions {
  planner: 'js' | 'rust';
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  keysDir: string;
  auth: AuthOptions;
}

/**
 * Hive Gateway as users would set it up, served by Node's http server. What differs from its defaults: usage
 * reporting is not configured (nothing leaves the machine), the landing page and GraphiQL are off, logging is
 * warnings only, and in-flight deduplication is off both ways (inbound: off by default, set explicitly; outbound:
 * `deduplicateInflightRequests` of the HTTP transport, on by default), or it would merge the benchmark's identical
 * requests. `counters` counts gateway requests and the subgraph fetches actually sent, so the bench can show one
 * set of fetches per request.
 */
export async function startHive(options: HiveOptions) {
  const keys = await loadOrCreateDevKeys(options.keysDir);
  const authenticate = createAuthenticator(options.auth);
  const sign = createAssertionSigner(keys.assertion);
  counters.requests = 0;
  counters.subgraphFetches = 0;

  // A's checks: the same authenticator and purpose binding in the context, the same assertion, bound per call to
  // the exact body sent (onFetch runs on the final request, after the transport serialized it).
  const callerPlugin: GatewayPlugin<{ caller: BoundCaller }> = {
    async onContextBuilding({ context, extendContext }) {
      counters.requests!++;
      const headers = context.request.headers;
      let caller: BoundCaller;
      try {
        caller = bindPurpose(await authenticate(headers.get('authorization') ?? undefined), {
          purpose: headers.get('x-purpose') ?? undefined,
          legalBasis: headers.get('x-legal-basis') ?? undefined,
        });
      } catch {
        throw new GraphQLError('Authentication failed.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
      extendContext({ caller });
    },
    async onFetch({ context, options: init, setOptions }) {
      const caller = 'caller' in context ? context.caller : undefined;
      if (!caller) return;
      counters.subgraphFetches!++;
      const assertion = await sign(caller);
      const body = typeof init.body === 'string' ? init.body : String(init.body ?? '');
      setOptions({
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          [CALLER_ASSERTION_HEADER]: assertion,
          [CALLER_BINDING_HEADER]: bindCall(keys.bindingKey, assertion, body),
        },
      });
    },
  };

  const transportOptions: Pick<HTTPExecutorOptions, 'deduplicateInflightRequests'> = { deduplicateInflightRequests: false };
  const gateway = createGatewayRuntime<{ caller: BoundCaller }>({
    supergraph: options.supergraphSdl,
    ...(options.planner === 'rust' ? { unifiedGraphHandler: rustPlanner } : {}),
    transports: { http: httpTransport },
    transportEntries: {
      '*.http': { options: transportOptions },
      ...Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, url]) => [name, { location: url }])),
    },
    inboundInflightRequestDeduplication: false,
    landingPage: false,
    graphiql: false,
    logging: 'warn',
    plugins: () => [callerPlugin],
  });
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}/graphql` },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
