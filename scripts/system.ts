import type { JSONWebKeySet } from 'jose';
// The all-in-one composition root: the three subgraphs and the gateway in one process.
import type { Database } from '../db/client.ts';
import type { AuthOptions } from '../gateway/plugins/authentication/auth.ts';
import type { SubgraphName } from '../gateway/config.ts';
import { createConsentLoader } from '../gateway/consent.ts';
import type { DevKeys } from '../gateway/keys.ts';
import type { AuditLogOptions } from '../gateway/plugins/audit/index.ts';
import { startGateway, type GatewayOptions, type RunningPrivacyGateway } from '../gateway/server.ts';
import type { SubgraphDefinition } from '../subgraphs/common/context.ts';
import type { ServedGraphQL } from '../subgraphs/common/http.ts';
import type { RetentionScheduleOptions } from '../subgraphs/common/retention.ts';
import { startSubgraph } from '../subgraphs/common/server.ts';
import { employersSubgraph } from '../subgraphs/employers/index.ts';
import { marketingSubgraph } from '../subgraphs/marketing/index.ts';
import { usersSubgraph } from '../subgraphs/users/index.ts';
import { composeSupergraph } from './composition.ts';
import { normalizeBudget, type BudgetOptions } from '../directives/statistics/accountant.ts';

/** The three subgraphs, each with its SDL, resolvers and name. */
export function allSubgraphs(): SubgraphDefinition[] {
  return [usersSubgraph(), employersSubgraph(), marketingSubgraph()];
}

export interface SystemOptions {
  db: Database;
  keys: DevKeys;
  auth: AuthOptions;
  host?: string;
  /** 0 (the default) picks free ports. */
  ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  production?: boolean;
  enforcement?: boolean;
  /** The statistics budget of the subgraphs (the environment's when absent). */
  statistics?: BudgetOptions;
  /** Extra gateway options (limits, …). */
  gateway?: Partial<Pick<GatewayOptions, 'limits' | 'subgraphConnections' | 'plugins' | 'logger' | 'metrics' | 'corsOrigins' | 'rateLimits' | 'shutdownTimeoutMs'>>;
  /** The access log's writer settings; `db` gives the writer its own database handle (default: `db`). */
  audit?: Partial<AuditLogOptions>;
  /** Each subgraph sweeps its retention rules on this schedule (off when absent). */
  retention?: RetentionScheduleOptions;
}

/** The gateway and three subgraphs running in one process. */
export interface RunningSystem {
  gateway: RunningPrivacyGateway;
  subgraphs: Record<SubgraphName, ServedGraphQL>;
  supergraphSdl: string;
  close(): Promise<void>;
}

/** Starts the three subgraphs on one database. */
export async function startSubgraphs(
  options: {
    db: Database;
    assertionJwks: JSONWebKeySet;
    bindingKey: Uint8Array;
    previousBindingKey?: Uint8Array;
    host?: string;
    ports?: Partial<Record<SubgraphName, number>>;
    statistics?: BudgetOptions;
    retention?: RetentionScheduleOptions;
  },
  definitions: readonly SubgraphDefinition[] = allSubgraphs(),
): Promise<Record<SubgraphName, ServedGraphQL>> {
  const started: Partial<Record<SubgraphName, ServedGraphQL>> = {};
  try {
    for (const definition of definitions) {
      started[definition.name] = await startSubgraph(definition, {
        db: options.db,
        assertionJwks: options.assertionJwks,
        bindingKey: options.bindingKey,
        ...(options.previousBindingKey ? { previousBindingKey: options.previousBindingKey } : {}),
        port: options.ports?.[definition.name] ?? 0,
        host: options.host,
        statisticsBudget: options.statistics ? normalizeBudget(options.statistics) : undefined,
        ...(options.retention ? { retention: options.retention } : {}),
      });
    }
  } catch (error) {
    await Promise.all(Object.values(started).map((s) => s.close()));
    throw error;
  }
  return started as Record<SubgraphName, ServedGraphQL>;
}

/**
 * Starts the whole graph in one process: three subgraphs, then the gateway over a locally composed supergraph.
 * @example const system = await startSystem({ db, keys, auth }); console.log(system.gateway.url);
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const definitions = allSubgraphs();
  const supergraphSdl = composeSupergraph();
  const subgraphs = await startSubgraphs(
    {
      db: options.db,
      assertionJwks: options.keys.assertion.jwks,
      bindingKey: options.keys.bindingKey,
      ...(options.keys.previousBindingKey ? { previousBindingKey: options.keys.previousBindingKey } : {}),
      host: options.host,
      ports: options.ports,
      statistics: options.statistics,
      retention: options.retention,
    },
    definitions,
  );
  let gateway: RunningPrivacyGateway;
  try {
    gateway = await startGateway({
      supergraphSdl,
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])),
      auth: options.auth,
      assertionKey: options.keys.assertion,
      bindingKey: options.keys.bindingKey,
      pseudonymKey: options.keys.pseudonymKey,
      loadConsents: createConsentLoader(options.db),
      database: options.db,
      port: options.ports?.gateway ?? 0,
      host: options.host,
      production: options.production,
      enforcement: options.enforcement,
      audit: { db: options.db, checkpointKey: options.keys.audit, ...options.audit },
      ...options.gateway,
    });
  } catch (error) {
    await Promise.all(Object.values(subgraphs).map((s) => s.close()));
    throw error;
  }
  return {
    gateway,
    subgraphs,
    supergraphSdl,
    close: async () => {
      await gateway.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.close()));
    },
  };
}
