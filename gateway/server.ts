import type { CryptoKey } from 'jose';
import type { ConsentLoader } from '../directives/decide.ts';
import type { OperationLimits } from '../directives/enforce/operation.ts';
import { startGatewayCore, type GatewayCoreOptions, type RunningGateway } from './core/gateway.ts';
import type { GatewayPlugin } from './core/plugin.ts';
import { useAuditLog, type AuditLogOptions, type AuditLogPlugin } from './plugins/audit/index.ts';
import { useAuthentication, type AuthOptions } from './plugins/authentication/index.ts';
import { useCallerAssertion } from './plugins/caller-assertion/index.ts';
import { usePrivacyEnforcement } from './plugins/enforcement/index.ts';
import { useExplorer } from './plugins/explorer/index.ts';
import { usePurposeBinding } from './plugins/purpose/index.ts';
import { useTracing } from './plugins/tracing/index.ts';

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
}

/** A running gateway, with its audit plugin (null when the log is off). */
export interface RunningPrivacyGateway extends RunningGateway {
  readonly audit: AuditLogPlugin | null;
}

/**
 * The privacy plugins, in the order they must run: authentication, purpose binding, caller assertion to the
 * subgraphs, enforcement.
 */
export function privacyPlugins(options: Omit<GatewayOptions, keyof GatewayCoreOptions | 'audit'>): GatewayPlugin[] {
  return [
    useAuthentication(options.auth),
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
  const { auth, assertionKey, bindingKey, pseudonymKey, loadConsents, enforcement, limits, audit: auditOptions, plugins = [], ...core } = options;
  const audit = auditOptions === 'off' ? null : useAuditLog(auditOptions);
  const gateway = await startGatewayCore({
    ...core,
    plugins: [
      // First: its span encloses every other plugin's work on the operation.
      useTracing(),
      ...privacyPlugins({ auth, assertionKey, bindingKey, pseudonymKey, loadConsents, enforcement, limits }),
      ...(audit ? [audit] : []),
      // The development explorer; production serves the API only.
      ...(core.production ? [] : [useExplorer()]),
      ...plugins,
    ],
  });
  return Object.assign(gateway, { audit });
}
