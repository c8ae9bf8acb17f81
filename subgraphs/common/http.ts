import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { extractContext, inSpan, SpanKind } from '../../telemetry/tracing.ts';

export const GRAPHQL_PATH = '/graphql';
const MAX_BODY_BYTES = 1024 * 1024;

/** A running HTTP server for an Apollo Server instance. */
export interface ServedGraphQL {
  url: string;
  port: number;
  /** Requests that reached this server's GraphQL endpoint (for tests and diagnostics). */
  readonly requestCount: number;
  close(): Promise<void>;
}

export interface ServeOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  /** Builds the context from the request and its exact body text ('' without a body). */
  context: (req: IncomingMessage, rawBody: string) => Promise<TContext>;
  /** Names the server in its trace spans (e.g. the subgraph's name). */
  name?: string;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<{ json: unknown; text: string }> {
  if (req.method !== 'POST') return { json: undefined, text: '' };
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(json|graphql-response\+json)/i.test(type)) {
    throw new HttpError(415, 'POST requests must have content-type application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return { json: undefined, text };
  try {
    return { json: JSON.parse(text), text };
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function sendError(res: ServerResponse, status: number, message: string, code = 'BAD_REQUEST') {
  res.statusCode = status;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Serves an Apollo Server at `/graphql` on Node's HTTP server, with keep-alive and a clean shutdown.
 * @example const served = await serveGraphQL(server, { port: 4001, context: async (req) => ({ ... }) });
 */
export async function serveGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
): Promise<ServedGraphQL> {
  let requestCount = 0;
  /** Serves one GraphQL request (inside its trace span). */
  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      const { json: body, text } = await readBody(req);
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
        context: () => options.context(req, text),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      // Answers hold personal data: no browser or proxy may keep them.
      res.setHeader('cache-control', 'no-store');
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, error.status, error.message);
      else sendError(res, 500, 'Internal server error.', 'INTERNAL_SERVER_ERROR');
    }
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"ok"}');
      return;
    }
    if (url.pathname !== GRAPHQL_PATH) {
      sendError(res, 404, `Not found: the GraphQL endpoint is ${GRAPHQL_PATH}.`, 'NOT_FOUND');
      return;
    }
    requestCount++;
    // The request's span continues the gateway's trace (traceparent); the statements run inside it are its children.
    const parent = extractContext(req.headers);
    const attributes = { 'privacy_gateway.subgraph': options.name ?? 'subgraph' };
    void inSpan('subgraph.request', { kind: SpanKind.SERVER, parent, attributes }, () => serve(req, res, url));
  };
  const httpServer = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : http.createServer(handle);
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : 'localhost';
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    get requestCount() {
      return requestCount;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
        setTimeout(() => httpServer.closeAllConnections(), 2_000).unref();
      });
      await server.stop();
    },
  };
}
