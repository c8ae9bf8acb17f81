import type { CryptoKey } from 'jose';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../../../directives/protocol/assertion.ts';
import { bindCall, CALLER_BINDING_HEADER } from '../../../directives/protocol/binding.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

/**
 * Every subgraph call carries the gateway's signed statement of who asks and why, bound to that call's exact body
 * by a MAC with a one-time id and a lifetime of seconds (the subgraphs refuse calls without both, and replays);
 * see `directives/protocol/assertion.ts` and `binding.ts`.
 * @example useCallerAssertion({ kid: keys.assertion.kid, privateKey: keys.assertion.privateKey }, keys.bindingKey)
 */
export function useCallerAssertion(key: { kid: string; privateKey: CryptoKey }, bindingKey: Uint8Array): GatewayPlugin {
  const sign = createAssertionSigner(key);
  return {
    name: 'caller-assertion',
    async onSubgraphRequest({ request, context }) {
      request.http?.headers.set(CALLER_ASSERTION_HEADER, await sign(context.caller));
    },
    onSubgraphFetch({ headers, body }) {
      const assertion = headers[CALLER_ASSERTION_HEADER];
      if (assertion !== undefined) headers[CALLER_BINDING_HEADER] = bindCall(bindingKey, assertion, body);
    },
  };
}
