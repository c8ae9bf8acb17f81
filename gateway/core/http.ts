import { randomUUID } from 'node:crypto';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';

export const GRAPHQL_PATH = '/graphql';
/** The response header that carries the request's id (the id of its log line and access-log row). */
export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_BODY_BYTES = 1024 * 1024;
/** On shutdown, how long connections accepted just before the listener closed may still send their request. */
const DRAIN_GRACE_MS = 500;

/** The gateway's HTTP server, before it listens: plugins add their routes to `app`. */
export function createHttpApp(): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    keepAliveTimeout: 65_000,
    // Idle keep-alive connections are closed on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Not used to build URLs: the GraphQL handler reads only the path and query of the request line.
    // The request id is the gateway's own (never a client's header): the id of the access-log row.
    requestIdHeader: false,
    // The gateway's own ids: a client-sent id is never trusted (it would reach the logs and the access log).
    genReqId: () => randomUUID(),
  });
  // GraphQL over HTTP takes JSON bodies only: text/plain (which a browser may send cross-site) is refused with 415.
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser('application/graphql-response+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  // Answers hold personal data: no browser or proxy may keep them.
  app.addHook('onSend', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, `Not found: the GraphQL endpoint is ${GRAPHQL_PATH}.`, 'NOT_FOUND'));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'POST requests must have content-type application/json.');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'Request body too large.');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'The request body is not valid JSON.');
      default:
        if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
          return sendError(reply, error.statusCode, 'The request could not be read.');
        }
        // Never the error's own message: it may quote what the client sent.
        return sendError(reply, 500, 'Internal server error.', 'INTERNAL_SERVER_ERROR');
    }
  });
  return app;
}

function sendError(reply: FastifyReply, status: number, message: string, code = 'BAD_REQUEST') {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

export interface ServeOptions {
  port: number;
  host?: string;
  context: (request: FastifyRequest) => Promise<GatewayContext>;
  /** How long `close()` waits for requests in flight before cutting their connections (default 10 s). */
  shutdownTimeoutMs?: number;
}

/** A running gateway HTTP server. */
export interface ServedGateway {
  url: string;
  port: number;
  /** Requests that reached the GraphQL endpoint (for tests and diagnostics). */
  readonly requestCount: number;
  close(): Promise<void>;
}

/**
 * Serves the started Apollo Server at `/graphql` (GET and POST) and the routes plugins added to `app`.
 * @example const served = await serveGateway(app, apollo, { port: 4000, context: async (request) => … });
 */
export async function serveGateway(app: FastifyInstance, apollo: ApolloServer<GatewayContext>, options: ServeOptions): Promise<ServedGateway> {
  let requestCount = 0;
  let draining = false;
  // While draining, every answer closes its connection, so a client reconnects (and is refused) instead of reusing it.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  const handler = fastifyApolloHandler(apollo, { context: (request) => options.context(request) });
  app.route<{ Reply: string }>({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    handler(request, reply) {
      requestCount++;
      return handler.call(this, request, reply);
    },
  });
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : 'localhost';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    get requestCount() {
      return requestCount;
    },
    close: async () => {
      const bound = options.shutdownTimeoutMs ?? 10_000;
      // Stop accepting first, without closing the connections already accepted (http.Server#close would close them
      // while idle, dropping a request already on its way): new clients are refused, accepted ones are served.
      draining = true;
      if (app.server.listening) NetServer.prototype.close.call(app.server);
      await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_GRACE_MS, bound)));
      // Then wait for requests in flight; connections still open after the bound are cut.
      const timer = setTimeout(() => app.server.closeAllConnections(), bound).unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      await apollo.stop();
    },
  };
}
