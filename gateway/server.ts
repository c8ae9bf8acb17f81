import type { CryptoKey } from 'jose';
import type { Database } from '../db/client.ts';
import type { ConsentLoader } from '../directives/decide.ts';
import type { OperationLimits } from '../directives/enforce/operation.ts';
import { startGatewayCore, type GatewayCoreOptions, type RunningGateway } from './core/gateway.ts';
import type { GatewayPlugin } from './core/plugin.ts';
import { useAuditLog, type AuditLogOptions, type AuditLogPlugin } from './plugins/audit/index.ts';
import { createLogger, failureCause, type Logger } from './logger.ts';
import { useAuthentication, type AuthOptions } from './plugins/authentication/index.ts';
import { useCallerAssertion } from './plugins/caller-assertion/index.ts';
import { usePrivacyEnforcement } from './plugins/enforcement/index.ts';
import { useExplorer } from './plugins/explorer/index.ts';
import { usePurposeBinding } from './plugins/purpose/index.ts';
import { useTracing } from './plugins/tracing/index.ts';
import { useCors } from './plugins/cors/index.ts';
import { useHealth } from './plugins/health/index.ts';
import { useLogging } from './plugins/logging/index.ts';
import { useMetrics, type MetricsOptions } from './plugins/metrics/index.ts';
import { useRateLimit, type RateLimitOptions } from './plugins/rate-limit/index.ts';
import { useDataSubjectRights, type DataSubjectRightsOptions, type DataSubjectRightsPlugin } from './plugins/data-subject-rights/index.ts';

export type { RunningGateway } from './core/gateway.ts';
export type { GatewayContext, PrivacyOutcome } from './core/context.ts';
export type { GatewayPlugin } from './core/plugin.ts';

export interface GatewayOptions extends Omit<GatewayCoreOptions, 'plugins'> {
  auth: AuthOptions;
  assertionKey: { kid: string; privateKey: CryptoKey };
  /** Shared with the subgraphs: binds each assertion to its call. */
  bindingKey: Uint8Array;
  pseudonymKey: Uint8Array;
  loadConsents: ConsentLoader;
  /** Off measures transport alone (benchmarks); never in production. */
  enforcement?: boolean;
  limits?: OperationLimits;
  /**
   * The access log and provision records (gateway/plugins/audit): on by default with these options; `'off'` only to
   * measure the gateway without them (benchmarks), never in production.
   */
  audit: AuditLogOptions | 'off';
  /** Plugins that run after the privacy plugins (they see `context.privacy`). */
  plugins?: readonly GatewayPlugin[];
  /** Structured logs (pino); silent when not given. */
  logger?: Logger;
  /** The database the consents come from: `/readyz` checks that it answers. */
  database?: Database;
  /** `/metrics` (prom-client), on by default; `false` turns it off. */
  metrics?: MetricsOptions | false;
  /** Browser origins allowed to call the gateway (CORS); none by default. */
  corsOrigins?: readonly string[];
  /** Per-replica limits, on by default (600 requests a minute per caller, 20 failed authentications per address); `false` turns them off. */
  rateLimits?: RateLimitOptions | false;
  /**
   * Data-subject rights (gateway/plugins/data-subject-rights): the export download and the erasure orchestrator, on
   * by default whenever the access log is (they write to it); `false` turns them off.
   */
  dataSubjectRights?: Partial<Pick<DataSubjectRightsOptions, 'intervalMs' | 'maxBackoffMs' | 'subgraphTimeoutMs' | 'now'>> | false;
}

/** A running gateway, with its audit plugin (null when the log is off). */
export interface RunningPrivacyGateway extends RunningGateway {
  readonly audit: AuditLogPlugin | null;
  /** The data-subject-rights plugin (null when off). */
  readonly dataSubjectRights: DataSubjectRightsPlugin | null;
}

/**
 * The privacy plugins, in the order they must run: authentication, purpose binding, caller assertion to the
 * subgraphs, enforcement.
 */
export function privacyPlugins(options: Omit<GatewayOptions, keyof GatewayCoreOptions | 'audit'>): GatewayPlugin[] {
  return [
    useAuthentication(options.auth, options.logger),
    usePurposeBinding(),
    useCallerAssertion(options.assertionKey, options.bindingKey),
    usePrivacyEnforcement({
      enabled: options.enforcement ?? true,
      limits: options.limits,
      pseudonymKey: options.pseudonymKey,
      loadConsents: options.loadConsents,
    }),
  ];
}

/**
 * Starts the privacy-enforcing gateway over the given supergraph: the core with the privacy plugins, the audit log,
 * the explorer (outside production), then `plugins`.
 * @example const gateway = await startGateway({ supergraphSdl, subgraphUrls, auth, assertionKey, pseudonymKey, loadConsents, audit: { db, checkpointKey: keys.audit }, port: 4000 });
 */
export async function startGateway(options: GatewayOptions): Promise<RunningPrivacyGateway> {
  const { auth, assertionKey, bindingKey, pseudonymKey, enforcement, limits, audit: auditOptions, plugins = [], database, logger: givenLogger, metrics: metricsOptions, corsOrigins, rateLimits, dataSubjectRights, ...core } = options;
  const audit = auditOptions === 'off' ? null : useAuditLog(auditOptions);
  const logger = givenLogger ?? createLogger({ level: 'silent' });
  const logging = useLogging({ logger });
  const metrics = metricsOptions === false ? undefined : useMetrics({ host: core.host, ...metricsOptions });
  // Consent lookups are counted, timed and their failures logged where the enforcement plugin calls them.
  const loadConsents = logging.observeConsentLoader(metrics ? metrics.instrumentConsentLoader(options.loadConsents) : options.loadConsents);
  const operations: GatewayPlugin[] = [
    // CORS first: its headers are on every answer, a 429 included, so a browser can read why it was refused.
    ...(corsOrigins && corsOrigins.length > 0 ? [useCors({ origins: corsOrigins })] : []),
    ...(rateLimits === false ? [] : [useRateLimit(rateLimits)]),
    useHealth({ database, logger }),
    logging,
    ...(metrics ? [metrics] : []),
  ];
  const rights =
    audit && auditOptions !== 'off' && dataSubjectRights !== false
      ? useDataSubjectRights({
          db: auditOptions.db,
          subgraphUrls: core.subgraphUrls,
          assertionKey,
          bindingKey,
          recordAccess: (entry) => audit.record(entry),
          logger,
          ...dataSubjectRights,
        })
      : null;
  let running: RunningGateway;
  try {
    running = await startGatewayCore({
      ...core,
      plugins: [
        // First: its span encloses every other plugin's work on the operation.
        useTracing(),
        ...privacyPlugins({ auth, assertionKey, bindingKey, pseudonymKey, loadConsents, enforcement, limits, logger }),
        ...(audit ? [audit] : []),
        // The development explorer; production serves the API only.
        ...(core.production ? [] : [useExplorer()]),
        ...operations,
        ...(rights ? [rights] : []),
        ...plugins,
      ],
    });
  } catch (error) {
    logger.error({ cause: failureCause(error) }, 'gateway failed to start');
    throw error;
  }
  logger.info(
    {
      port: running.port,
      production: core.production ?? false,
      enforcement: enforcement ?? true,
      subgraphs: Object.keys(core.subgraphUrls),
      metrics: metrics ? (metrics.url ?? '/metrics') : 'off',
      corsOrigins: corsOrigins?.length ?? 0,
      rateLimits: rateLimits === false ? 'off' : { requestsPerMinute: 600, authFailuresPerMinute: 20, ...rateLimits },
      keys: auth.keys.kind === 'remote' ? 'JWKS_URL' : 'development',
      accessLog: audit ? 'on' : 'off',
      dataSubjectRights: rights ? 'on' : 'off',
    },
    'gateway listening',
  );
  return Object.assign(running, { audit, dataSubjectRights: rights });
}
