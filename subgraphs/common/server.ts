import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { GraphQLSchema } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import type { Database } from '../../db/client.ts';
import { usePrivacyDenials } from '../../directives/enforce/subgraph.ts';
import { isPrivacyError, PrivacyError, toGraphQLError } from '../../directives/errors.ts';
import { CALLER_ASSERTION_HEADER, createAssertionVerifier } from '../../directives/protocol/assertion.ts';
import { CALLER_BINDING_HEADER, createBindingVerifier } from '../../directives/protocol/binding.ts';
import type { SubgraphContext, SubgraphDefinition } from './context.ts';
import { serveGraphQL, type ServedGraphQL } from './http.ts';
import { maskInternalErrors } from './errors.ts';
import { statisticsBudgetFromEnv, type Budget } from './statistics.ts';
import { startRetentionSchedule, type RetentionScheduleOptions } from './retention.ts';

export interface StartSubgraphOptions {
  db: Database;
  /** Public keys of the gateway's caller assertions. */
  assertionJwks: JSONWebKeySet;
  /** The key shared with the gateway that binds each assertion to its call. */
  bindingKey: Uint8Array;
  /** While the binding key is rotated: the previous key, still accepted (see docs/deploy.md). */
  previousBindingKey?: Uint8Array;
  port?: number;
  host?: string;
  /** The statistics budget; from the environment (statisticsBudgetFromEnv) when absent. */
  statisticsBudget?: Budget;
  /** Serve over TLS with this PEM key and certificate (chain): personal data then never crosses the hop in clear. */
  tls?: { key: string; cert: string };
  /** Sweep the subgraph's retention rules on this schedule (off when absent or the interval is 0). */
  retention?: RetentionScheduleOptions;
}

/** Builds a subgraph's executable schema with the privacy deny wrapper applied. */
export function buildPrivacySubgraphSchema(definition: SubgraphDefinition): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> });
  return usePrivacyDenials<SubgraphContext>(schema, definition.typeDefs, (ctx) => ctx.caller);
}

/**
 * Tells the gateway which statistics a request released (ids, ε, period; never a count), in the response's
 * `extensions.statisticsReleases`: the gateway records each in the access log before the answer leaves, and does
 * not pass subgraph extensions on to the client.
 */
const reportStatisticsReleases: ApolloServerPlugin<SubgraphContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const releases = contextValue.statisticsReleases;
        if (!releases || releases.length === 0 || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, statisticsReleases: releases };
      },
    };
  },
};

/**
 * Starts one subgraph over HTTP; every request, `_service` and `_entities` included, needs the gateway's assertion, bound to that request.
 * @example const users = await startSubgraph(usersSubgraph(), { db, assertionJwks, bindingKey, port: 4001 });
 */
export async function startSubgraph(definition: SubgraphDefinition, options: StartSubgraphOptions): Promise<ServedGraphQL> {
  const verify = createAssertionVerifier(options.assertionJwks);
  const verifyBinding = createBindingVerifier(options.previousBindingKey ? [options.bindingKey, options.previousBindingKey] : options.bindingKey);
  const statisticsBudget = options.statisticsBudget ?? statisticsBudgetFromEnv();
  const server = new ApolloServer<SubgraphContext>({
    schema: buildPrivacySubgraphSchema(definition),
    introspection: false,
    csrfPrevention: true,
    // The composition root stops the server on SIGTERM/SIGINT (drain, then close): Apollo's own handler would stop it mid-request.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: maskInternalErrors,
    // No cache hints: answers hold personal data and are never cacheable. Without this plugin Apollo Server
    // also stops wrapping every field resolver for instrumentation.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      reportStatisticsReleases,
    ],
  });
  await server.start();
  const served = await serveGraphQL(server, {
    name: definition.name,
    ...(options.tls ? { tls: options.tls } : {}),
    port: options.port ?? 0,
    host: options.host,
    context: async (req, rawBody) => {
      const header = req.headers[CALLER_ASSERTION_HEADER];
      const binding = req.headers[CALLER_BINDING_HEADER];
      try {
        const assertion = Array.isArray(header) ? header[0] : header;
        const caller = await verify(assertion);
        // Only POST bodies are bound; the gateway never sends anything else.
        if (req.method !== 'POST') throw new PrivacyError('UNAUTHENTICATED', 'This subgraph only answers the gateway: POST only.');
        verifyBinding(assertion!, Array.isArray(binding) ? binding[0] : binding, rawBody);
        return { caller, db: options.db, statisticsBudget };
      } catch (error) {
        throw toGraphQLError(new PrivacyError('UNAUTHENTICATED', isPrivacyError(error) ? error.message : 'The caller assertion is invalid.'));
      }
    },
  });
  const retention =
    definition.retention && options.retention && options.retention.intervalMs > 0
      ? startRetentionSchedule(options.db, definition.retention, options.retention)
      : undefined;
  return {
    url: served.url,
    port: served.port,
    get requestCount() {
      return served.requestCount;
    },
    // The schedule stops first: no sweep starts on a closing server.
    close: async () => {
      await retention?.close();
      await served.close();
    },
  };
}
