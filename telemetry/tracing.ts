/**
 * Tracing with OpenTelemetry, shared by the gateway and the subgraphs (a neutral home, like directives/protocol/).
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then each process registers a tracer provider that exports over
 * OTLP/HTTP, `@apollo/gateway` emits its own spans (request, plan, execute, fetch), the gateway propagates
 * `traceparent` to the subgraphs, and the subgraphs add a span per request and per database statement.
 *
 * No span attribute holds personal data: attributes are names from a fixed vocabulary (purpose, role, operation
 * type, subgraph, statement kind) and counts; never a value, a variable, a subject id, a token or a statement's text.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';
import { createOperationNames } from './operation-names.ts';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const TRACER_NAME = 'privacy-gateway';

/** The project's tracer (a no-op until a provider is registered). */
export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

export interface TracingOptions {
  /** `service.name` of this process's spans, e.g. `gateway` or `users`. */
  serviceName: string;
  /** The OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); `/v1/traces` is appended. */
  endpoint?: string;
  /** Instead of OTLP: an exporter (tests use an in-memory one), its spans sent one by one. */
  exporter?: SpanExporter;
}

/**
 * Attributes that carry a name the client chose (`@apollo/gateway` sets them to the operation's name); exported
 * bounded as logs and metrics report them (operation-names.ts).
 */
const CLIENT_NAMED = ['graphql.operation.name', 'operationName'] as const;

/** Exports through `inner` with the client-chosen names bounded (createOperationNames). */
class BoundedNamesExporter implements SpanExporter {
  readonly #bound = createOperationNames();
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(
      spans.map((span) => {
        if (!CLIENT_NAMED.some((key) => key in span.attributes)) return span;
        const attributes = { ...span.attributes };
        for (const key of CLIENT_NAMED) {
          const value = attributes[key];
          if (value !== undefined) attributes[key] = this.#bound(String(value));
        }
        return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
      }),
      done,
    );
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface Tracing {
  /** Flushes and stops the provider. */
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider for this process (W3C trace context, async-local context), exporting to `endpoint`
 * over OTLP/HTTP or to `exporter`.
 * @example const tracing = startTracing({ serviceName: 'gateway', endpoint: 'http://127.0.0.1:4318' });
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.endpoint && !options.exporter) throw new Error('startTracing needs an endpoint or an exporter.');
  const processor = options.exporter
    ? new SimpleSpanProcessor(new BoundedNamesExporter(options.exporter))
    : new BatchSpanProcessor(new BoundedNamesExporter(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` })));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor],
  });
  provider.register();
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing is registered and spans cost nothing. */
export function startTracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return { shutdown: async () => {} };
  return startTracing({ serviceName: env.OTEL_SERVICE_NAME?.trim() || serviceName, endpoint });
}

/** The trace context a request carries (its `traceparent`), to parent the spans made while serving it. */
export function extractContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
}

/** Writes the active trace context into outgoing headers (`traceparent`, `tracestate`). */
export function injectContext(set: (name: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier, key, value) => set(key, value) });
}

/**
 * Runs `fn` inside a new active span; records an exception as the span's status (the error's class name only: a
 * message may quote a value) and rethrows.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const run = (span: Span) =>
    fn(span).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
        span.end();
        throw error;
      },
    );
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) };
  return options.parent ? tracer().startActiveSpan(name, spanOptions, options.parent, run) : tracer().startActiveSpan(name, spanOptions, run);
}

export { SpanKind };
