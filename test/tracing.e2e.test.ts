// Traces end to end, with an in-memory exporter: the gateway's operation span, @apollo/gateway's own spans, the
// trace context carried to the subgraphs (traceparent), their request and database spans in the same trace, and
// no span attribute holding a personal value, a subject id, a token or anything a client submitted.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { startTracing, type Tracing } from '../telemetry/tracing.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let t: TestSystem;
/** Everything personal or secret the run sent or received: none of it may appear in a span. */
const secrets = new Set<string>();

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    // Enum values and type names are vocabulary, not personal data.
    if (value.length >= 4 && !/^[A-Z_]+$/.test(value) && !/^[A-Z][A-Za-z]+$/.test(value)) into.add(value);
  } else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, into));
}

async function ask(query: string, options: { token: string; purpose?: string; variables?: Record<string, unknown> }): Promise<GraphQLResponse> {
  secrets.add(options.token);
  collectStrings(options.variables, secrets);
  const res = await t.query(query, options);
  collectStrings(res.body.data, secrets);
  return res;
}

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'test', exporter });
  t = await startTestSystem();
  const candidate = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
  const employer = await t.token({ role: 'employer', org: DEMO_IDS.employer });
  const support = await t.token({ role: 'support' });
  secrets.add(DEMO_IDS.candidate);
  const mine = await ask('query Mine { me { id fullName email phone address { street city } resume { summary } applications { coverLetter } marketingProfile { adIdentifiers { value } } } }', { token: candidate });
  expect(mine.body.data?.me?.fullName).toEqual(expect.any(String));
  const page = await ask('query Page($first: Int) { candidates(first: $first) { nodes { id fullName email birthDate address { prefecture } } } }', { token: employer, variables: { first: 20 } });
  expect(page.body.data?.candidates.nodes.length).toBeGreaterThan(0);
  const applicants = await ask('query Applicants($job: ID!) { job(id: $job) { applications { nodes { coverLetter candidate { fullName email } } } } }', { token: employer, variables: { job: DEMO_IDS.job } });
  expect(applicants.body.errors ?? []).toEqual([]);
  const masked = await ask('query Lookup($id: ID!) { candidate(id: $id) { email phone residenceCard { number } } }', { token: support, purpose: 'FRAUD_PREVENTION', variables: { id: DEMO_IDS.candidate } });
  expect(masked.body.data?.candidate?.email).toEqual(expect.any(String));
  await ask('mutation Grant($purpose: ConsentPurpose!, $recipient: ID) { grantConsent(purpose: $purpose, recipient: $recipient) { granted } }', {
    token: candidate,
    variables: { purpose: 'EMPLOYER_DISCLOSURE', recipient: DEMO_IDS.otherEmployer },
  });
  // A value the client submits, refused or not, is personal too.
  await ask('mutation Apply($job: ID!, $letter: String) { applyToJob(jobId: $job, coverLetter: $letter) { id } }', {
    token: candidate,
    variables: { job: DEMO_IDS.job, letter: '私の電話番号は090-1111-2222です' },
  });
  // Operation names are the client's choice: they are bounded (the first 200 distinct names, then `other`).
  for (let i = 0; i < 210; i++) await ask(`query Name${i} { jobs(first: 1) { nodes { id } } }`, { token: support, purpose: 'SUPPORT' });
  // Spans of the subgraphs end after their response is written: give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
}, 120_000);

afterAll(async () => {
  await t?.close();
  await tracing?.shutdown();
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing', () => {
  it('records the gateway operation, @apollo/gateway’s phases, and each subgraph request and database batch in one trace', () => {
    const names = new Set(spans().map((s) => s.name));
    for (const name of ['privacy-gateway.operation', 'gateway.request', 'gateway.plan', 'gateway.fetch', 'subgraph.request', 'db.load']) {
      expect(names, [...names].join(', ')).toContain(name);
    }
    const operation = spans().find((s) => s.name === 'privacy-gateway.operation' && s.attributes['privacy.purpose'] === 'EMPLOYER_DISCLOSURE')!;
    expect(operation.attributes['privacy.role']).toBe('employer');
    const trace = spans().filter((s) => s.spanContext().traceId === operation.spanContext().traceId);
    const fetch = trace.find((s) => s.name === 'gateway.fetch');
    const served = trace.filter((s) => s.name === 'subgraph.request');
    expect(fetch).toBeDefined();
    expect(served.length).toBeGreaterThan(0);
    // The subgraph's span continues the trace from the gateway's fetch: traceparent crossed the HTTP hop.
    expect(served.some((s) => parentOf(s) === fetch!.spanContext().spanId || trace.some((f) => f.name === 'gateway.fetch' && f.spanContext().spanId === parentOf(s)))).toBe(true);
    expect(served.map((s) => s.attributes['privacy_gateway.subgraph'])).toContain('users');
    // Database batches hang under the subgraph request that ran them.
    const loads = trace.filter((s) => s.name === 'db.load');
    expect(loads.length).toBeGreaterThan(0);
    expect(loads.every((l) => served.some((s) => s.spanContext().spanId === parentOf(l)))).toBe(true);
  });

  it('bounds the operation names clients choose: past 200 distinct names, they read as other', () => {
    const names = new Set(spans().filter((s) => s.name === 'gateway.request').map((s) => String(s.attributes['graphql.operation.name'])));
    expect(names).toContain('other');
    expect(names).toContain('Mine');
    expect(names.size).toBeLessThanOrEqual(201);
  });

  it('counts what enforcement withheld and masked, by number only', () => {
    const masked = spans().find((s) => s.name === 'privacy-gateway.operation' && s.attributes['privacy.purpose'] === 'FRAUD_PREVENTION')!;
    expect(masked.attributes['privacy.masked_values']).toBeGreaterThan(0);
  });

  it('holds no personal value, subject id, token or submitted value in any span attribute, event or status', () => {
    expect(secrets.size).toBeGreaterThan(20);
    expect([...secrets].some((s) => s.includes('@'))).toBe(true);
    const leaks: string[] = [];
    for (const span of spans()) {
      const text = JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, resource: span.resource.attributes });
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${span.name}: ${secret.slice(0, 12)}…`);
    }
    expect(leaks).toEqual([]);
  });
});
