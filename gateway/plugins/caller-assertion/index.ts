import type { CryptoKey } from 'jose';
import type { BoundCaller } from '../../../directives/caller.ts';
import { CALLER_ASSERTION_HEADER, createAssertionSigner } from '../../../directives/protocol/assertion.ts';
import { bindCall, CALLER_BINDING_HEADER } from '../../../directives/protocol/binding.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

/**
 * The headers of one direct call from the gateway to a subgraph (outside a query plan, e.g. a data-subject request
 * sent to every subgraph): the signed caller assertion and its binding to the exact body, as `useCallerAssertion`
 * adds them to the planned calls.
 * @example const headersFor = createCallerHeaders(keys.assertion, keys.bindingKey); await fetch(url, { headers: await headersFor(caller, body), body });
 */
export function createCallerHeaders(key: { kid: string; privateKey: CryptoKey }, bindingKey: Uint8Array) {
  const sign = createAssertionSigner(key);
  return async (caller: BoundCaller, body: string): Promise<Record<string, string>> => {
    const assertion = await sign(caller);
    return { [CALLER_ASSERTION_HEADER]: assertion, [CALLER_BINDING_HEADER]: bindCall(bindingKey, assertion, body) };
  };
}

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
