import { sql } from 'drizzle-orm';
import type { Database } from '../../../db/client.ts';
import type { GatewayPlugin, ReadinessCheck } from '../../core/plugin.ts';
import { failureCause, type Logger } from '../../logger.ts';

export interface HealthOptions {
  /** The database the gateway reads consents from; `/readyz` runs `select 1` on it. */
  database?: Database;
  /** How long one answer of `/readyz` is reused (default 1000 ms), so a probe storm costs one query a second. */
  cacheMs?: number;
  /** How long the database may take to answer `select 1` (default 1000 ms). */
  databaseTimeoutMs?: number;
  /** Where a readiness change is reported (which check failed, and the database's error class and code). */
  logger?: Logger;
}

/** Resolves with `promise`, or rejects after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz` (the process answers) and `/readyz` (the supergraph is loaded and valid, the database answers, and
 * every plugin's own readiness checks pass): a JSON body naming each check, 200 when all pass, 503 otherwise.
 * `/health` stays as an alias of `/healthz`.
 * @example useHealth({ database: handle.db })
 */
export function useHealth(options: HealthOptions = {}): GatewayPlugin {
  const cacheMs = options.cacheMs ?? 1_000;
  const databaseTimeoutMs = options.databaseTimeoutMs ?? 1_000;
  const database = options.database;
  let cached: { at: number; checks: Promise<ReadinessCheck[]> } | undefined;
  let databaseUp = true;
  let failing = '';
  return {
    name: 'health',
    ...(database
      ? {
          readiness: async () => {
            try {
              await within(database.execute(sql`select 1`), databaseTimeoutMs);
              if (!databaseUp) options.logger?.info({ check: 'database' }, 'database reachable again');
              databaseUp = true;
              return { name: 'database', ok: true };
            } catch (error) {
              if (databaseUp) options.logger?.error({ check: 'database', cause: failureCause(error) }, 'database unreachable');
              databaseUp = false;
              return { name: 'database', ok: false };
            }
          },
        }
      : {}),
    routes(app, runtime) {
      const alive = async () => ({ status: 'ok' });
      app.get('/healthz', alive);
      app.get('/health', alive);
      app.get('/readyz', async (_request, reply) => {
        const now = Date.now();
        if (!cached || now - cached.at >= cacheMs) cached = { at: now, checks: runtime.readiness() };
        const checks = await cached.checks;
        const ready = checks.every((check) => check.ok);
        const nowFailing = checks.filter((check) => !check.ok).map((check) => check.name).join(',');
        if (nowFailing !== failing) {
          if (nowFailing) options.logger?.warn({ failing: nowFailing.split(',') }, 'not ready');
          else options.logger?.info('ready');
          failing = nowFailing;
        }
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not ready',
          checks: Object.fromEntries(checks.map((check) => [check.name, check.ok ? 'ok' : 'failing'])),
        });
      });
    },
  };
}
