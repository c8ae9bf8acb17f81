import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createOperationNames } from './operation-names.ts';
import { startTracingFromEnv, tracer } from './tracing.ts';

describe('startTracingFromEnv', () => {
  it('registers nothing without OTEL_EXPORTER_OTLP_ENDPOINT: spans are not recorded', async () => {
    const tracing = startTracingFromEnv('test', {});
    const span = tracer().startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it('exports over OTLP/HTTP to the endpoint when it is set, and flushes on shutdown', async () => {
    const received: { url: string; bytes: number; type: string }[] = [];
    const server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ url: req.url ?? '', bytes, type: String(req.headers['content-type']) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const tracing = startTracingFromEnv('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` });
      const span = trace.getTracer('privacy-gateway').startSpan('exported');
      expect(span.isRecording()).toBe(true);
      span.end();
      await tracing.shutdown();
      expect(received.length).toBeGreaterThan(0);
      expect(received[0]).toMatchObject({ url: '/v1/traces' });
      expect(received[0]!.bytes).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('operation names in spans (createOperationNames)', () => {
  it('keeps plain identifiers up to 200 distinct names, and names everything else other', () => {
    const bound = createOperationNames();
    expect(bound('CandidatePage')).toBe('CandidatePage');
    expect(bound('has space')).toBe('other');
    expect(bound('a'.repeat(65))).toBe('other');
    for (let i = 0; i < 199; i++) expect(bound(`Op${i}`)).toBe(`Op${i}`);
    expect(bound('OneTooMany')).toBe('other');
    expect(bound('CandidatePage')).toBe('CandidatePage');
  });
});
