import type { CryptoKey } from 'jose';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../../../directives/protocol/assertion.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

/**
 * Every subgraph call carries the gateway's signed statement of who asks and why (the subgraphs refuse calls
 * without one); see `directives/protocol/assertion.ts`.
 * @example useCallerAssertion({ kid: keys.assertion.kid, privateKey: keys.assertion.privateKey })
 */
export function useCallerAssertion(key: { kid: string; privateKey: CryptoKey }): GatewayPlugin {
  const sign = createAssertionSigner(key);
  return {
    name: 'caller-assertion',
    async onSubgraphRequest({ request, context }) {
      request.http?.headers.set(CALLER_ASSERTION_HEADER, await sign(context.caller));
    },
  };
}
