import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ServiceError } from '../../../directives/errors.ts';
import { GRAPHQL_PATH } from '../../core/http.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

export interface RateLimitOptions {
  /** Requests a minute per authenticated caller (`sub`); 0 turns the limit off (default 600). */
  requestsPerMinute?: number;
  /** Failed authentications (HTTP 401) a minute per client address; 0 turns the limit off (default 20). */
  authFailuresPerMinute?: number;
}

const WINDOW_SECONDS = 60;

function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/**
 * Rate limits, per replica, in memory (rate-limiter-flexible): requests per caller, counted after the token verified
 * (an unverified `sub` could spend someone else's allowance), and failed authentications per client address,
 * refused before the token is even read. Over a limit: HTTP 429, `Retry-After`, a GraphQL error `RATE_LIMITED`.
 * A limit shared by every replica needs a shared store (rate-limiter-flexible's Redis or PostgreSQL limiters).
 * @example useRateLimit({ requestsPerMinute: 600, authFailuresPerMinute: 20 })
 */
export function useRateLimit(options: RateLimitOptions = {}): GatewayPlugin {
  const requestsPerMinute = options.requestsPerMinute ?? 600;
  const authFailuresPerMinute = options.authFailuresPerMinute ?? 20;
  const perCaller = requestsPerMinute > 0 ? new RateLimiterMemory({ points: requestsPerMinute, duration: WINDOW_SECONDS }) : undefined;
  const authFailures = authFailuresPerMinute > 0 ? new RateLimiterMemory({ points: authFailuresPerMinute, duration: WINDOW_SECONDS }) : undefined;
  return {
    name: 'rate-limit',
    async onRequest(draft) {
      const sub = draft.boundCaller?.sub ?? draft.caller?.sub;
      if (!perCaller || sub === undefined) return;
      try {
        await perCaller.consume(sub);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const seconds = retryAfterSeconds(rejection);
        throw new ServiceError('RATE_LIMITED', `Too many requests; retry after ${seconds} s.`, { retryAfterSeconds: seconds });
      }
    },
    routes(app) {
      if (!authFailures) return;
      app.addHook('onRequest', async (request, reply) => {
        if (request.method === 'OPTIONS' || (request.url.split('?')[0] ?? '') !== GRAPHQL_PATH) return;
        const spent = await authFailures.get(request.ip);
        if (!spent || spent.consumedPoints < authFailuresPerMinute) return;
        const seconds = retryAfterSeconds(spent);
        return reply
          .code(429)
          .header('retry-after', String(seconds))
          .header('content-type', 'application/json; charset=utf-8')
          .send(JSON.stringify({ errors: [{ message: `Too many failed authentications; retry after ${seconds} s.`, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds } }] }));
      });
      app.addHook('onResponse', async (request, reply) => {
        if (reply.statusCode === 401) await authFailures.penalty(request.ip, 1);
      });
    },
  };
}
