import type { ApolloServerPlugin } from '@apollo/server';
import type { ConsentLoader } from '../../../directives/decide.ts';
import { outcomeCoordinates, type GatewayContext } from '../../core/context.ts';
import { GRAPHQL_PATH } from '../../core/http.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { failureCause, type Logger } from '../../logger.ts';
import { createOperationNames } from '../../../telemetry/operation-names.ts';

export interface LoggingOptions {
  logger: Logger;
  /** Distinct operation names logged before new ones become `other` (default 200). */
  operationNames?: number;
}

/** What the GraphQL layer learnt about one request, for its log line: names, counts and codes, never a value. */
interface RequestFacts {
  role: string;
  purpose: string;
  operation: string;
  operationType?: string;
  errors: string[];
  redactions: number;
  masks: number;
  consentDenials: number;
}

function outcomeOf(status: number, facts: RequestFacts | undefined): string {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'error';
  if (status >= 400) return 'refused';
  if (!facts || facts.errors.length === 0) return 'ok';
  return facts.errors.some((code) => code === 'INTERNAL_SERVER_ERROR' || code === 'SERVICE_UNAVAILABLE') ? 'error' : 'partial';
}

/**
 * Structured logs with pino: one line per request at the end of it (request id — the `x-request-id` the response
 * carries —, role, purpose, bounded operation name, duration, status, outcome, and the counts of redactions, masks
 * and consent denials from `context.privacy`), and every internal failure with its cause (error class and code).
 * By construction a line holds only these fields: no header, token, subject id, variable, document or value.
 * @example useLogging({ logger: createLogger({ level: 'info' }) })
 */
export function useLogging(options: LoggingOptions): GatewayPlugin & { observeConsentLoader(loader: ConsentLoader): ConsentLoader } {
  const logger = options.logger;
  const bounded = createOperationNames(options.operationNames);
  const facts = new Map<string, RequestFacts>();
  const apollo: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      const entry: RequestFacts = {
        role: contextValue.caller.role,
        purpose: contextValue.caller.purpose,
        operation: 'anonymous',
        errors: [],
        redactions: 0,
        masks: 0,
        consentDenials: 0,
      };
      facts.set(contextValue.requestId, entry);
      return {
        async didResolveOperation({ operationName, operation }) {
          entry.operation = bounded(operationName ?? operation?.name?.value);
          entry.operationType = operation?.operation;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
            entry.errors.push(code);
            // Client errors are the request's outcome; anything else is a fault, logged with its cause.
            if (code === 'INTERNAL_SERVER_ERROR' || code === 'SERVICE_UNAVAILABLE' || !error.extensions?.code) {
              logger.error({ requestId: contextValue.requestId, code, cause: failureCause(error.originalError ?? error) }, 'request failed');
            }
          }
        },
        async willSendResponse({ contextValue: context }) {
          const outcome = context.privacy;
          if (!outcome) return;
          const coordinates = outcomeCoordinates(outcome);
          entry.redactions = coordinates.redacted.length;
          entry.masks = coordinates.masked.length;
          entry.consentDenials = coordinates.consentDenied.length;
        },
      };
    },
  };
  return {
    name: 'logging',
    apolloPlugins: () => [apollo],
    routes(app) {
      app.addHook('onRequest', async (request) => {
        if ((request.url.split('?')[0] ?? '') === GRAPHQL_PATH) logger.debug({ requestId: request.id, path: GRAPHQL_PATH }, 'request received');
      });
      // A request whose client went away has no response: its entry goes with it.
      app.addHook('onRequestAbort', async (request) => {
        facts.delete(request.id);
      });
      app.addHook('onResponse', async (request, reply) => {
        const known = facts.get(request.id);
        facts.delete(request.id);
        const path = request.url.split('?')[0] ?? '';
        const isGraphQL = path === GRAPHQL_PATH;
        const line = {
          requestId: request.id,
          method: request.method,
          // Plugins' own paths are fixed names; anything else is a 404 and is not repeated.
          path: isGraphQL || reply.statusCode !== 404 ? path : 'unknown',
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
          outcome: outcomeOf(reply.statusCode, known),
          ...(known
            ? {
                role: known.role,
                purpose: known.purpose,
                operation: known.operation,
                operationType: known.operationType,
                redactions: known.redactions,
                masks: known.masks,
                consentDenials: known.consentDenials,
                ...(known.errors.length > 0 ? { errorCodes: [...new Set(known.errors)] } : {}),
              }
            : {}),
        };
        // Probes and metrics scrapes come every few seconds: debug, not info.
        if (isGraphQL) logger.info(line, 'request');
        else logger.debug(line, 'request');
      });
    },
    observeConsentLoader(loader) {
      return async (ids, scope) => {
        try {
          return await loader(ids, scope);
        } catch (error) {
          logger.error({ cause: failureCause(error), subjects: ids.length }, 'consent lookup failed (the fields it guards are withheld)');
          throw error;
        }
      };
    },
    async close() {
      logger.info('gateway stopped');
      logger.flush();
    },
  };
}
