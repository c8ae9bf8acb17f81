import { SpanKind } from '@opentelemetry/api';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { injectContext, inSpan } from '../../../telemetry/tracing.ts';

/**
 * Traces each operation (a span around its execution, with the declared purpose, the role and what enforcement
 * withheld and masked, as counts) and propagates the trace context to the subgraphs (`traceparent` on every
 * subgraph call, from the span `@apollo/gateway` opens for the fetch). Spans are recorded only when a tracer
 * provider is registered (telemetry/tracing.ts: OTEL_EXPORTER_OTLP_ENDPOINT); otherwise this costs a no-op span.
 * It must come first among the plugins, so its span encloses enforcement's and sees `context.privacy`.
 * @example startGateway({ plugins: [useTracing(), ...privacyPlugins(options)] })
 */
export function useTracing(): GatewayPlugin {
  return {
    name: 'tracing',
    wrapExecutor: (next) => (requestContext) =>
      inSpan('privacy-gateway.operation', { kind: SpanKind.INTERNAL }, async (span) => {
        const context = requestContext.context;
        const result = await next(requestContext);
        if (span.isRecording()) {
          const privacy = context.privacy;
          span.setAttributes({
            'graphql.operation.type': requestContext.operation?.operation ?? 'unknown',
            'privacy.purpose': context.caller.purpose,
            'privacy.role': context.caller.role,
            'privacy.strict': context.strict,
            ...(privacy
              ? {
                  'privacy.rejected': privacy.rejected,
                  'privacy.denied_coordinates': privacy.denied.length,
                  'privacy.withheld_coordinates': privacy.disclosure?.withheld.size ?? 0,
                  'privacy.masked_values': privacy.masked.length,
                }
              : {}),
          });
        }
        return result;
      }),
    onSubgraphRequest({ request }) {
      const headers = request.http?.headers;
      if (headers) injectContext((name, value) => headers.set(name, value));
    },
  };
}
