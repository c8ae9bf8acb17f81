// Logs and metrics under end-to-end traffic (every role, mutations with variables, refusals, bad input): every log
// line is collected at debug level and /metrics is scraped; neither may hold a seeded personal value, a subject id,
// a token or a submitted variable value, and both must show what happened (counts, codes, bounded names).
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { createLogger } from '../gateway/logger.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, callback) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    callback();
  },
});

let t: TestSystem;
const tokens: string[] = [];
const submitted: string[] = [];
const requestIds: string[] = [];
let metricsText = '';

async function send(query: string, options: { token?: string; purpose?: string; variables?: Record<string, unknown>; operationName?: string; headers?: Record<string, string> }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  const res = await fetch(t.system.gateway.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }),
  });
  const id = res.headers.get('x-request-id');
  if (id) requestIds.push(id);
  return { status: res.status, body: (await res.json()) as any };
}

/** Every seeded personal value long enough to be told apart from ordinary words, and every subject id. */
async function seededSecrets(): Promise<string[]> {
  const rows = async (query: ReturnType<typeof sql>) => {
    const result = (await t.db.db.execute(query)) as unknown as Record<string, string | null>[] | { rows: Record<string, string | null>[] };
    return Array.isArray(result) ? result : result.rows;
  };
  const values = [
    ...(await rows(sql`select id::text as a, full_name as b, full_name_kana as c, email as d, phone as e from users.candidates`)),
    ...(await rows(sql`select street as a, postal_code as b from users.addresses`)),
    ...(await rows(sql`select card_number as a from users.residence_cards`)),
  ].flatMap((row) => Object.values(row));
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= 6))];
}

beforeAll(async () => {
  t = await startTestSystem({ gateway: { logger: createLogger({ level: 'debug', destination: sink }) } });
  const candidate = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
  const open = await t.token({ role: 'candidate', sub: DEMO_IDS.openCandidate });
  const employer = await t.token({ role: 'employer', org: DEMO_IDS.employer });
  const marketer = await t.token({ role: 'marketer' });
  const support = await t.token({ role: 'support' });
  tokens.push(candidate, open, employer, marketer, support);
  const coverLetter = `I would love to work with you ${randomUUID()}`;
  const badEmail = `nobody-${randomUUID().slice(0, 8)}@example.com`;
  submitted.push(coverLetter, badEmail);

  // In order: the open candidate applies (consenting to the employer), then withdraws that consent, so the
  // employer's look at the job's applicants meets a missing consent.
  const calls: [string, Parameters<typeof send>[1]][] = [
    ['query MyRecord { me { id fullName email phone address { street } residenceCard { number } resume { summary } applications { status } } }', { token: candidate }],
    ['query Candidate($id: ID!) { candidate(id: $id) { id fullName email birthDate residenceCard { number } } }', { token: employer, variables: { id: DEMO_IDS.openCandidate } }],
    ['query Search { candidates(first: 20) { nodes { id fullName email phone } } }', { token: employer }],
    ['query Audience($c: ID!) { campaignAudience(campaignId: $c, first: 20) { nodes { id fullName email } } }', { token: marketer, purpose: 'MARKETING', variables: { c: DEMO_IDS.campaign } }],
    ['query Lookup($id: ID!) { candidate(id: $id) { id fullName email phone address { street } } }', { token: support, purpose: 'SUPPORT', variables: { id: DEMO_IDS.candidate } }],
    ['mutation Grant($p: ConsentPurpose!) { grantConsent(purpose: $p) { purpose granted } }', { token: open, variables: { p: 'MARKETING' } }],
    ['mutation Apply($job: ID!, $letter: String) { applyToJob(jobId: $job, coverLetter: $letter) { id status } }', { token: open, variables: { job: DEMO_IDS.job, letter: coverLetter } }],
    ['mutation Withdraw($r: ID) { withdrawConsent(purpose: EMPLOYER_DISCLOSURE, recipient: $r) { purpose granted } }', { token: open, variables: { r: DEMO_IDS.employer } }],
    ['query Applicants($job: ID!) { job(id: $job) { applications(first: 100) { nodes { id coverLetter candidate { id email } } } } }', { token: employer, variables: { job: DEMO_IDS.job } }],
    // A value the client sent, rejected by coercion: the error must not carry it into a line.
    ['query Bad($n: Int) { jobs(first: $n) { nodes { id } } }', { token: candidate, variables: { n: badEmail } }],
    [`query { candidate(id: "${DEMO_IDS.candidate}") { id fullName } }`, { token: employer }],
    ['query Strict($id: ID!) { candidate(id: $id) { id residenceCard { number } } }', { token: employer, variables: { id: DEMO_IDS.openCandidate }, headers: { 'x-privacy-mode': 'strict' } }],
    [`query ${'A'.repeat(70)} { jobs(first: 1) { nodes { id } } }`, { token: candidate }],
    ['{ jobs(first: 1) { nodes { id } } }', { token: `${candidate.slice(0, -4)}AAAA` }],
    ['{ jobs(first: 1) { nodes { id } } }', { token: marketer }],
  ];
  const statuses: number[] = [];
  for (const [query, options] of calls) statuses.push((await send(query, options)).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 200, 403, 200, 401, 403]);
  metricsText = await (await fetch(new URL('/metrics', t.system.gateway.url))).text();
});

afterAll(async () => {
  await t?.close();
});

describe('structured logs', () => {
  it('write one JSON line per request with its id, role, purpose, bounded operation, duration, outcome and counts', () => {
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.path === '/graphql');
    expect(requests).toHaveLength(15);
    expect(new Set(requests.map((r) => r.requestId))).toEqual(new Set(requestIds));
    const byOperation = (name: string) => requests.filter((r) => r.operation === name);
    const employerRead = byOperation('Candidate').find((r) => r.masks > 0);
    expect(employerRead).toMatchObject({ role: 'employer', purpose: 'EMPLOYER_DISCLOSURE', status: 200, redactions: 1, masks: 1 });
    expect(typeof employerRead.durationMs).toBe('number');
    expect(byOperation('Applicants')[0].consentDenials).toBeGreaterThan(0);
    expect(byOperation('Apply')[0]).toMatchObject({ role: 'candidate', outcome: 'ok', operationType: 'mutation' });
    expect(byOperation('Strict')[0]).toMatchObject({ status: 403, outcome: 'refused' });
    expect(byOperation('other')).toHaveLength(1);
    expect(requests.filter((r) => r.status === 401)).toMatchObject([{ outcome: 'refused' }]);
    expect(requests.filter((r) => r.status === 401)[0].role).toBeUndefined();
  });

  it('report start-up with its configuration', () => {
    const started = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'gateway listening');
    expect(started).toMatchObject({ level: 30, enforcement: true, rateLimits: 'off', keys: 'development' });
  });

  it('hold no seeded personal value, subject id, token or submitted value', async () => {
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(1000);
    const secrets = await seededSecrets();
    expect(secrets.length).toBeGreaterThan(1000);
    const leaked = secrets.filter((s) => text.includes(s));
    expect(leaked).toEqual([]);
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]!);
    }
    for (const value of submitted) expect(text).not.toContain(value);
    expect(text).not.toContain('Bearer');
  });
});

describe('metrics', () => {
  const value = (series: string) => {
    const line = metricsText.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('count requests by bounded operation and outcome, privacy outcomes by coordinate and purpose, consent lookups and subgraph calls', () => {
    expect(value('gateway_request_duration_seconds_count{operation="MyRecord",outcome="ok"}')).toBe(1);
    expect(value('gateway_request_duration_seconds_count{operation="other",outcome="ok"}')).toBe(1);
    expect(value('gateway_masks_total{coordinate="Candidate.birthDate",purpose="EMPLOYER_DISCLOSURE"}')).toBeGreaterThanOrEqual(1);
    expect(value('gateway_redactions_total{coordinate="ResidenceCard.number",purpose="EMPLOYER_DISCLOSURE"}')).toBeGreaterThanOrEqual(1);
    expect(value('gateway_consent_denials_total{coordinate="Application.candidate",purpose="EMPLOYER_DISCLOSURE"}')).toBe(1);
    expect(value('gateway_consent_lookups_total{result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value('gateway_consent_lookup_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('gateway_subgraph_request_duration_seconds_count{subgraph="users"}')).toBeGreaterThanOrEqual(5);
  });

  it('label nothing personal: no seeded value, subject id, token or submitted value', async () => {
    const labels = [...metricsText.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).join('\n');
    expect(labels.length).toBeGreaterThan(100);
    for (const secret of await seededSecrets()) expect(metricsText.includes(secret), secret.slice(0, 2)).toBe(false);
    for (const token of tokens) expect(metricsText).not.toContain(token.split('.')[2]!);
    for (const v of submitted) expect(metricsText).not.toContain(v);
    for (const id of requestIds) expect(metricsText).not.toContain(id);
  });

  it('are kept per gateway: a second gateway in this process starts with its own registry', async () => {
    const other = await startTestSystem();
    try {
      const text = await (await fetch(new URL('/metrics', other.system.gateway.url))).text();
      expect(text).toContain('gateway_request_duration_seconds');
      expect(text).not.toContain('operation="MyRecord"');
    } finally {
      await other.close();
    }
  });

  it('are served on a port of their own when one is set (METRICS_PORT), and then not on the gateway port', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const separate = await startTestSystem({ gateway: { metrics: { port } } });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('gateway_request_duration_seconds');
      expect((await fetch(new URL('/metrics', separate.system.gateway.url))).status).toBe(404);
    } finally {
      await separate.close();
    }
    // Closed with the gateway.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
