import type { CryptoKey } from 'jose';
import type { ConsentLoader } from '../directives/decide.ts';
import type { OperationLimits } from '../directives/enforce/operation.ts';
import { startGatewayCore, type GatewayCoreOptions, type RunningGateway } from './core/gateway.ts';
import type { GatewayPlugin } from './core/plugin.ts';
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
  /** Plugins that run after the privacy plugins (they see `context.privacy`). */
  plugins?: readonly GatewayPlugin[];
}

/**
 * The privacy plugins, in the order they must run: authentication, purpose binding, caller assertion to the
 * subgraphs, enforcement.
 */
export function privacyPlugins(options: Omit<GatewayOptions, keyof GatewayCoreOptions>): GatewayPlugin[] {
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
 * Starts the privacy-enforcing gateway over the given supergraph: the core with the privacy plugins, the explorer
 * (outside production), then `plugins`.
 * @example const gateway = await startGateway({ supergraphSdl, subgraphUrls, auth, assertionKey, pseudonymKey, loadConsents, port: 4000 });
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { auth, assertionKey, bindingKey, pseudonymKey, loadConsents, enforcement, limits, plugins = [], ...core } = options;
  return startGatewayCore({
    ...core,
    plugins: [
      // First: its span encloses every other plugin's work on the operation.
      useTracing(),
      ...privacyPlugins({ auth, assertionKey, bindingKey, pseudonymKey, loadConsents, enforcement, limits }),
      // The development explorer; production serves the API only.
      ...(core.production ? [] : [useExplorer()]),
      ...plugins,
    ],
  });
}
