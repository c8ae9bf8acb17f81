// Two gateway replicas on one database, each writing its own chain: after a mixed run of 1,000 requests from four
// concurrent clients the log verifies, every response that carried personal data has its row, and shutting a
// replica down under load loses no row (its writer is drained and its chain closed by a final checkpoint).
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccessLog } from '../audit/verify.ts';
import type { DatabaseHandle } from '../db/client.ts';
import { accessLog, accessLogCheckpoints } from '../db/schema/audit.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { createConsentLoader } from '../gateway/consent.ts';
import { startGateway, type RunningPrivacyGateway } from '../gateway/server.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import { legalBasisHeader } from './privacy-helpers.ts';
import { postGraphQL, startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

let db: TestDatabase;
let t: TestSystem;
let replicaDb: DatabaseHandle;
let replica: RunningPrivacyGateway;
let replicaClosed = false;

async function startReplica(handle: DatabaseHandle): Promise<RunningPrivacyGateway> {
  return startGateway({
    supergraphSdl: t.system.supergraphSdl,
    subgraphUrls: Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, s]) => [name, s.url])),
    auth: t.auth,
    assertionKey: t.keys.assertion,
    bindingKey: t.keys.bindingKey,
    pseudonymKey: t.keys.pseudonymKey,
    loadConsents: createConsentLoader(handle.db),
    audit: { db: handle.db, checkpointKey: t.keys.audit },
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  t = await startTestSystem({ db });
  replicaDb = await db.reopen();
  replica = await startReplica(replicaDb);
});
afterAll(async () => {
  if (!replicaClosed) await replica?.close();
  await replicaDb?.close();
  await t?.close();
  await db?.close();
});

interface Sent {
  requestId: string | null;
  personal: boolean;
  kind?: number;
}

/** One request of the mix: what it asks, and whether its answer carries a personal value. */
type Kind = { query: string; headers: () => Promise<Record<string, string>>; variables?: Record<string, unknown>; personal: (res: GraphQLResponse) => boolean };

async function send(url: string, kind: Kind): Promise<Sent & { status: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await kind.headers()) },
    body: JSON.stringify({ query: kind.query, variables: kind.variables }),
  });
  const res: GraphQLResponse = { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
  return { status: response.status, requestId: response.headers.get('x-request-id'), personal: response.status === 200 && kind.personal(res) };
}

function mix(): Kind[] {
  const bearer = (token: Promise<string>) => async () => ({ authorization: `Bearer ${await token}` });
  const employerToken = t.token({ role: 'employer', org: DEMO_IDS.employer });
  const otherToken = t.token({ role: 'employer', org: DEMO_IDS.otherEmployer });
  const candidateToken = t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
  const complianceToken = t.token({ role: 'compliance' });
  const supportToken = t.token({ role: 'support' });
  const page = (token: Promise<string>): Kind => ({
    query: '{ candidates(first: 20) { nodes { id fullName email } } }',
    headers: bearer(token),
    personal: (res) => (res.body.data?.candidates?.nodes ?? []).some((n: { fullName: string | null }) => n.fullName !== null),
  });
  return [
    page(employerToken),
    page(otherToken),
    { query: '{ me { email fullName address { prefecture } } }', headers: bearer(candidateToken), personal: (res) => res.body.data?.me?.email != null },
    {
      query: 'query($id: ID!) { candidate(id: $id) { fullName phone } }',
      variables: { id: DEMO_IDS.candidate },
      headers: async () => ({ ...(await bearer(complianceToken)()), 'x-purpose': 'LEGAL_OBLIGATION', ...legalBasisHeader('東京地裁 令和8年(モ)第123号') }),
      personal: (res) => res.body.data?.candidate?.fullName != null,
    },
    {
      query: 'query($id: ID!) { candidate(id: $id) { email birthDate } }',
      variables: { id: DEMO_IDS.candidate },
      headers: async () => ({ ...(await bearer(supportToken)()), 'x-purpose': 'SUPPORT' }),
      personal: (res) => res.body.data?.candidate?.email != null,
    },
    { query: '{ jobs(first: 5) { nodes { title } } }', headers: bearer(employerToken), personal: () => false },
  ];
}

describe('two gateway replicas on one database', () => {
  it('a mixed run of 1,000 requests from 4 clients: the log verifies and every personal response has its row', async () => {
    const kinds = mix();
    const urls = [t.system.gateway.url, replica.url];
    const sent: (Sent & { status: number })[] = [];
    let next = 0;
    const client = async (c: number) => {
      for (;;) {
        const n = next++;
        if (n >= 1000) return;
        sent.push({ ...(await send(urls[(n + c) % 2]!, kinds[n % kinds.length]!)), kind: n % kinds.length });
      }
    };
    const started = Date.now();
    await Promise.all([0, 1, 2, 3].map(client));
    const seconds = (Date.now() - started) / 1000;
    expect(sent).toHaveLength(1000);
    expect(sent.every((s) => s.status === 200)).toBe(true);
    const personal = sent.filter((s) => s.personal);
    expect(personal.length).toBeGreaterThan(600);
    const ids = personal.map((s) => s.requestId!);
    const rows = await db.db.select({ requestId: accessLog.requestId, chainId: accessLog.chainId }).from(accessLog).where(inArray(accessLog.requestId, ids));
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(ids.length);
    // Both replicas wrote, each its own chain.
    expect(new Set(rows.map((r) => r.chainId))).toEqual(new Set([t.system.gateway.audit!.chainId, replica.audit!.chainId]));
    // Requests without a personal field left no row.
    const jobs = sent.filter((s) => s.kind === kinds.length - 1).map((s) => s.requestId!);
    expect(jobs.length).toBeGreaterThan(100);
    expect(await db.db.select().from(accessLog).where(inArray(accessLog.requestId, jobs))).toEqual([]);

    const metrics = [t.system.gateway.audit!.metrics(), replica.audit!.metrics()];
    console.log(
      `1,000 requests in ${seconds.toFixed(1)} s; per replica: ` +
        metrics.map((m) => `${m.rows} rows in ${m.batches} batches (max ${m.batchSize.max}), commit p50 ${m.commitLatencyMs.p50.toFixed(1)} ms p99 ${m.commitLatencyMs.p99.toFixed(1)} ms`).join('; '),
    );
    for (const m of metrics) {
      expect(m.failedBatches).toBe(0);
      expect(m.timeouts).toBe(0);
    }
    const report = await verifyAccessLog(db.db, { jwks: t.keys.audit.jwks });
    expect(report).toMatchObject({ ok: true, chains: 2 });
    if (report.ok) expect(report.rows).toBeGreaterThanOrEqual(ids.length);
  });

  it('shutting a replica down under load drains its writer: every personal response has its row, and the chain is closed', async () => {
    const kinds = mix();
    const inFlight = Array.from({ length: 120 }, (_, i) => send(replica.url, kinds[i % 4]!).catch(() => null));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const chainId = replica.audit!.chainId;
    // What SIGTERM does in scripts/start-gateway.ts.
    replicaClosed = true;
    await replica.close();
    const answered = (await Promise.all(inFlight)).filter((s): s is Sent & { status: number } => s !== null && s.personal);
    expect(answered.length).toBeGreaterThan(0);
    const ids = answered.map((s) => s.requestId!);
    const rows = await db.db.select({ requestId: accessLog.requestId }).from(accessLog).where(inArray(accessLog.requestId, ids));
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(ids.length);
    const marks = await db.db.select().from(accessLogCheckpoints).where(eq(accessLogCheckpoints.chainId, chainId));
    const final = marks.find((m) => m.final);
    const [{ head }] = (await db.db.select({ head: sql<number>`max(${accessLog.seq})::int` }).from(accessLog).where(eq(accessLog.chainId, chainId))) as [{ head: number }];
    expect(head).toBeGreaterThan(0);
    expect(final?.seq).toBe(head);
    expect((await verifyAccessLog(db.db, { jwks: t.keys.audit.jwks })).ok).toBe(true);
    // The other replica still answers.
    const res = await postGraphQL(t.system.gateway.url, '{ me { email } }', { token: await t.token({ role: 'candidate', sub: DEMO_IDS.candidate }) });
    expect(res.body.data!.me.email).toEqual(expect.any(String));
  });
});
