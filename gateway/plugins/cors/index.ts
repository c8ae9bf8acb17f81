import fastifyCors from '@fastify/cors';
import { REQUEST_ID_HEADER } from '../../core/http.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

/** The request headers the contract needs a browser to send. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-purpose', 'x-legal-basis', 'x-privacy-mode'] as const;

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`); an empty list allows none (the default). */
  origins: readonly string[];
  /** How long a browser may reuse a preflight answer, in seconds (default 600). */
  maxAgeSeconds?: number;
}

/**
 * CORS for browser clients with @fastify/cors: only the configured origins, the contract's request headers, the
 * request id and `Retry-After` exposed; no credentials (tokens travel in `Authorization`, never in cookies). Apollo's CSRF prevention
 * stays on: a simple cross-site request without a preflight is still refused.
 * @example useCors({ origins: ['https://app.example.com'] })
 */
export function useCors(options: CorsOptions): GatewayPlugin {
  const allowed = new Set(options.origins);
  return {
    name: 'cors',
    async routes(app) {
      await app.register(fastifyCors, {
        origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
        methods: ['GET', 'POST'],
        allowedHeaders: [...CORS_ALLOWED_HEADERS],
        exposedHeaders: [REQUEST_ID_HEADER, 'retry-after'],
        credentials: false,
        maxAge: options.maxAgeSeconds ?? 600,
        strictPreflight: true,
      });
    },
  };
}
