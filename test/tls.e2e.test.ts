// TLS between the gateway and the subgraphs, with a local certificate authority made for the test (openssl): the
// personal data of a response crosses that hop encrypted, the gateway talks only to subgraphs whose certificate the
// configured authority signed, and a subgraph serving TLS answers nothing in clear.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { DEMO_IDS } from '../db/seed/index.ts';
import { createConsentLoader } from '../gateway/consent.ts';
import { createEphemeralKeys, type DevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import type { ServedGraphQL } from '../subgraphs/common/http.ts';
import { startSubgraph } from '../subgraphs/common/server.ts';
import { composeSupergraph } from '../scripts/composition.ts';
import { allSubgraphs } from '../scripts/system.ts';
import { openTestDatabase } from './database.ts';
import { postGraphQL, TEST_PURPOSES } from './system.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pgw-tls-'));
const file = (name: string) => path.join(dir, name);

/** A certificate authority and a certificate it signs for 127.0.0.1 and localhost; and a second, unrelated authority. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=test ${ca}`);
  }
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'subgraph.key', '-out', 'subgraph.csr', '-subj', '/CN=subgraph');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'subgraph.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'subgraph.pem', '-days', '1', '-extfile', 'san.ext');
}

let db: DatabaseHandle;
let keys: DevKeys;
let subgraphs: ServedGraphQL[] = [];
const gateways: RunningGateway[] = [];

async function gatewayTrusting(ca: string | undefined): Promise<RunningGateway> {
  const gateway = await startGateway({
    supergraphSdl: composeSupergraph(),
    subgraphUrls: Object.fromEntries(allSubgraphs().map((d, i) => [d.name, subgraphs[i]!.url])),
    auth: { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE, algorithms: ['ES256'], keys: { kind: 'local', jwks: keys.issuer.jwks }, clockToleranceSeconds: 30, maxTokenAgeSeconds: 86_400 },
    assertionKey: keys.assertion,
    bindingKey: keys.bindingKey,
    pseudonymKey: keys.pseudonymKey,
    loadConsents: createConsentLoader(db.db),
    audit: { db: db.db, checkpointKey: keys.audit },
    port: 0,
    ...(ca ? { subgraphCa: ca } : {}),
  });
  gateways.push(gateway);
  return gateway;
}

async function me(gateway: RunningGateway) {
  const token = await signToken(keys.issuer, { sub: DEMO_IDS.candidate, role: 'candidate', org: null, purposes: TEST_PURPOSES.candidate, issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE });
  return postGraphQL(gateway.url, '{ me { id fullName email } }', { token });
}

beforeAll(async () => {
  makeCertificates();
  db = await openTestDatabase();
  keys = await createEphemeralKeys();
  const tls = { key: readFileSync(file('subgraph.key'), 'utf8'), cert: readFileSync(file('subgraph.pem'), 'utf8') };
  for (const definition of allSubgraphs()) {
    subgraphs.push(await startSubgraph(definition, { db: db.db, assertionJwks: keys.assertion.jwks, bindingKey: keys.bindingKey, port: 0, tls }));
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(gateways.map((g) => g.close()));
  await Promise.allSettled(subgraphs.map((s) => s.close()));
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS to the subgraphs', () => {
  it('serves the subgraphs over https, and the gateway trusting their authority answers through them', async () => {
    expect(subgraphs.every((s) => s.url.startsWith('https://127.0.0.1:') || s.url.startsWith('https://localhost:'))).toBe(true);
    const res = await me(await gatewayTrusting(readFileSync(file('ca.pem'), 'utf8')));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.me).toMatchObject({ id: DEMO_IDS.candidate, fullName: expect.any(String), email: expect.stringContaining('@') });
  });

  it('a gateway trusting another authority sends nothing and answers no personal data', async () => {
    const res = await me(await gatewayTrusting(readFileSync(file('other-ca.pem'), 'utf8')));
    expect(res.body.data?.me ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain('@');
  });

  it('a gateway with the system authorities only does not trust the local one either', async () => {
    const res = await me(await gatewayTrusting(undefined));
    expect(res.body.data?.me ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
  });

  it('a subgraph serving TLS answers nothing in clear', async () => {
    const plain = subgraphs[0]!.url.replace('https://', 'http://');
    const outcome = await fetch(plain, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
      (r) => `status ${r.status}`,
      (error: Error) => `refused: ${error.name}`,
    );
    expect(outcome).toMatch(/^refused|^status 400/);
  });
});
