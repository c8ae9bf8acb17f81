// Attempts to get a value the policy withholds out of the graph: aliases, fragments, interfaces, directives,
// transport tricks, direct subgraph calls, forged assertions, purpose games, other candidates, reserved aliases,
// operation limits and error messages. None may succeed.
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { ASSERTION_AUDIENCE, ASSERTION_ISSUER, CALLER_ASSERTION_HEADER } from '../directives/protocol/assertion.ts';
import { bindCall, CALLER_BINDING_HEADER } from '../directives/protocol/binding.ts';
import {
  ASCII_LEGAL_BASIS,
  JAPANESE_LEGAL_BASIS,
  at,
  expectCleanErrors,
  fieldErrors,
  legalBasisHeader,
  maskEntries,
  sortByPath,
  stringLeaves,
  subgraphRequests,
} from './privacy-helpers.ts';
import { startTestSystem, type GraphQLResponse, type TestSystem } from './system.ts';

let t: TestSystem;
/** Raw values read once under compliance / LEGAL_OBLIGATION (which releases every field these tests probe). */
let demo: { email: string; phone: string; fullName: string; address: { street: string; city: string; postalCode: string; prefecture: string } };

const LEGAL = legalBasisHeader(ASCII_LEGAL_BASIS);

async function compliance(query: string, variables?: Record<string, unknown>) {
  const res = await t.query(query, { token: await t.token({ role: 'compliance' }), purpose: 'LEGAL_OBLIGATION', headers: LEGAL, variables });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!;
}

/** E-mail addresses of candidates, read under a legal basis. */
async function emailsOf(ids: readonly string[]): Promise<Map<string, string>> {
  const fields = ids.map((id, i) => `c${i}: candidate(id: ${JSON.stringify(id)}) { id email }`).join(' ');
  const data = await compliance(`{ ${fields} }`);
  return new Map(Object.values(data).map((c: any) => [c.id, c.email]));
}

/** Runs `fn` and asserts that no request reached any subgraph meanwhile. */
async function withoutSubgraphRequests<T>(fn: () => Promise<T>): Promise<T> {
  const before = subgraphRequests(t);
  const result = await fn();
  expect(subgraphRequests(t), 'a subgraph was asked').toBe(before);
  return result;
}

function expectRefused(res: GraphQLResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.data ?? null).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.extensions?.code).toBe(code);
}

beforeAll(async () => {
  t = await startTestSystem();
  const data = await compliance(`query($id: ID!) { c: candidate(id: $id) { email phone fullName address { street city postalCode prefecture } } }`, {
    id: DEMO_IDS.candidate,
  });
  demo = data.c;
});

afterAll(async () => {
  await t?.close();
});

describe('aliases and fragments', () => {
  it('every alias and fragment path of a withheld field gets null and its own error, list items included', async () => {
    const token = await t.token({ role: 'marketer' });
    const res = await t.query(
      `query($c: ID!) {
        campaignAudience(campaignId: $c, first: 3) { nodes { id a: email b: email email ...F ... on Candidate { d: email ...G } } }
      }
      fragment F on Candidate { c: email }
      fragment G on Candidate { e: email }`,
      { token, purpose: 'SURVEY', variables: { c: DEMO_IDS.campaign } },
    );
    expect(res.status).toBe(200);
    const nodes = res.body.data!.campaignAudience.nodes as any[];
    expect(nodes.length).toBe(3);
    const keys = ['a', 'b', 'email', 'c', 'd', 'e'];
    const expected = nodes.flatMap((node, i) =>
      keys.map((key) => {
        expect(node[key], `${i}.${key}`).toBeNull();
        return { path: ['campaignAudience', 'nodes', i, key], code: 'PII_REDACTED', coordinate: 'Candidate.email' };
      }),
    );
    expect(fieldErrors(res.body)).toEqual(sortByPath(expected));
    const emails = await emailsOf(nodes.map((n) => n.id));
    for (const email of emails.values()) expect(JSON.stringify(res.body)).not.toContain(email);
    expectCleanErrors(res.body, { purpose: 'SURVEY', personal: emails.values() });
  });

  it('a withheld field under several aliases in a staff search list is withheld at every path', async () => {
    const res = await t.query(
      `{ candidates(first: 4) { nodes { id x: birthDate birthDate ...B ... on Candidate { y: birthDate } } } } fragment B on Candidate { z: birthDate }`,
      { token: await t.token({ role: 'support' }), purpose: 'BILLING' },
    );
    const nodes = res.body.data!.candidates.nodes as any[];
    expect(nodes.length).toBe(4);
    expect(res.body.errors).toHaveLength(16);
    for (const [i, node] of nodes.entries()) {
      for (const key of ['x', 'birthDate', 'z', 'y']) {
        expect(node[key]).toBeNull();
        const errors = res.body.errors!.filter((e) => JSON.stringify(e.path) === JSON.stringify(['candidates', 'nodes', i, key]));
        expect(errors).toHaveLength(1);
        expect(errors[0]!.extensions).toEqual({ code: 'PII_REDACTED', coordinate: 'Candidate.birthDate' });
      }
    }
    const birthDates = await compliance(`{ ${nodes.map((n, i) => `c${i}: candidate(id: "${n.id}") { birthDate }`).join(' ')} }`);
    for (const value of stringLeaves(birthDates)) expect(JSON.stringify(res.body)).not.toContain(value);
  });

  it('a masked field is masked under every alias', async () => {
    const res = await t.query(`query($id: ID!) { c: candidate(id: $id) { a: email b: email ...E } } fragment E on Candidate { email }`, {
      token: await t.token({ role: 'support' }),
      purpose: 'FRAUD_PREVENTION',
      variables: { id: DEMO_IDS.candidate },
    });
    const masked = `${demo.email[0]}***@${demo.email.split('@')[1]}`;
    expect(res.body.data!.c).toEqual({ a: masked, b: masked, email: masked });
    expect(maskEntries(res.body).map((m) => m.path)).toEqual([['c', 'a'], ['c', 'b'], ['c', 'email']]);
    expect(JSON.stringify(res.body)).not.toContain(demo.email);
  });

  it('an alias cannot pass another address part off as the prefecture the mask keeps', async () => {
    for (const [role, purpose, org] of [
      ['employer', 'EMPLOYER_DISCLOSURE', DEMO_IDS.employer],
      ['marketer', 'SURVEY', null],
    ] as const) {
      const res = await t.query(
        `query($id: ID!) {
          a: candidate(id: $id) { address { prefecture: street } }
          b: candidate(id: $id) { address { prefecture: city } }
          c: candidate(id: $id) { address { prefecture: postalCode } }
          d: candidate(id: $id) { address { ... on Address { prefecture: street } } }
          e: candidate(id: $id) { address { ...A } }
          f: candidate(id: $id) { address { p: prefecture city street } }
        }
        fragment A on Address { prefecture: city }`,
        { token: await t.token({ role, org }), purpose, variables: { id: DEMO_IDS.candidate } },
      );
      expect(res.status).toBe(200);
      const body = JSON.stringify(res.body);
      for (const value of [demo.address.street, demo.address.city, demo.address.postalCode]) {
        expect(body, `${role}/${purpose} got ${value}`).not.toContain(value);
      }
      for (const key of ['a', 'b', 'c', 'd', 'e']) expect(res.body.data![key].address, `${role} ${key}`).toEqual({ prefecture: null });
      expect(res.body.data!.f.address).toEqual({ p: demo.address.prefecture, city: null, street: null });
    }
  });
});

describe('the Node interface', () => {
  it('applies the same field rules to a candidate reached through node(id:)', async () => {
    const res = await t.query(`query($id: ID!) { node(id: $id) { id ... on Candidate { email fullName } } }`, {
      token: await t.token({ role: 'marketer' }),
      purpose: 'SURVEY',
      variables: { id: DEMO_IDS.candidate },
    });
    expect(res.body.data!.node).toEqual({ id: DEMO_IDS.candidate, email: null, fullName: `${demo.fullName[0]}.` });
    expect(fieldErrors(res.body)).toEqual([{ path: ['node', 'email'], code: 'PII_REDACTED', coordinate: 'Candidate.email' }]);
    expect(maskEntries(res.body)).toEqual([{ path: ['node', 'fullName'], coordinate: 'Candidate.fullName', strategy: 'NAME_INITIAL' }]);
  });

  it('gives analysts and non-consented lookups nothing', async () => {
    const query = `query($id: ID!) { node(id: $id) { id ... on Candidate { email phone fullName } } }`;
    const analyst = await t.query(query, { token: await t.token({ role: 'analyst' }), variables: { id: DEMO_IDS.candidate } });
    expect(analyst.body).toEqual({ data: { node: null } });
    const employer = await t.query(query, {
      token: await t.token({ role: 'employer', org: DEMO_IDS.employer }),
      variables: { id: DEMO_IDS.noConsentCandidate },
    });
    expect(employer.body).toEqual({ data: { node: null } });
  });
});

describe('@include and @skip', () => {
  const query = `query($v: Boolean!) {
    c: candidate(id: "${DEMO_IDS.candidate}") { id email @include(if: $v) phone @skip(if: $v) ...F @include(if: $v) ...G @skip(if: $v) }
  }
  fragment F on Candidate { f: email }
  fragment G on Candidate { g: phone }`;

  it('withholds a field the variables include and leaves out one they exclude, both ways', async () => {
    const token = await t.token({ role: 'marketer' });
    const run = (v: boolean) => t.query(query, { token, purpose: 'SURVEY', variables: { v } });
    const [on, off] = await Promise.all([run(true), run(false)]);
    expect(on.body.data!.c).toEqual({ id: DEMO_IDS.candidate, email: null, f: null });
    expect(fieldErrors(on.body).map((e) => [e.path.join('.'), e.code, e.coordinate])).toEqual([
      ['c.email', 'PII_REDACTED', 'Candidate.email'],
      ['c.f', 'PII_REDACTED', 'Candidate.email'],
    ]);
    expect(off.body.data!.c).toEqual({ id: DEMO_IDS.candidate, phone: null, g: null });
    expect(fieldErrors(off.body).map((e) => [e.path.join('.'), e.coordinate])).toEqual([
      ['c.g', 'Candidate.phone'],
      ['c.phone', 'Candidate.phone'],
    ]);
    for (const res of [on, off]) {
      expect(JSON.stringify(res.body)).not.toContain(demo.email);
      expect(JSON.stringify(res.body)).not.toContain(demo.phone);
    }
  });

  it('honours the default value of a condition variable the request leaves out', async () => {
    const res = await t.query(
      `query($yes: Boolean = true, $no: Boolean = false) { c: candidate(id: "${DEMO_IDS.candidate}") { id email @include(if: $yes) phone @include(if: $no) fullNameKana @skip(if: $yes) } }`,
      { token: await t.token({ role: 'marketer' }), purpose: 'SURVEY' },
    );
    expect(res.body.data!.c).toEqual({ id: DEMO_IDS.candidate, email: null });
    expect(fieldErrors(res.body)).toEqual([{ path: ['c', 'email'], code: 'PII_REDACTED', coordinate: 'Candidate.email' }]);
  });
});

describe('transport', () => {
  it('refuses a batched request body and executes none of it', async () => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const before = await t.query('{ me { applications { id } } }', { token });
    const res = await withoutSubgraphRequests(async () => {
      const response = await fetch(t.system.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify([
          { query: '{ me { email } }' },
          { query: `mutation { applyToJob(jobId: "${DEMO_IDS.job}", coverLetter: "batched") { id } }` },
        ]),
      });
      return { status: response.status, text: await response.text() };
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(demo.email);
    expect(JSON.parse(res.text).data ?? null).toBeNull();
    const after = await t.query('{ me { applications { id } } }', { token });
    expect(after.body.data).toEqual(before.body.data);
  });

  it('does not expose the federation entry points _entities and _service', async () => {
    const token = await t.token({ role: 'compliance' });
    for (const query of [
      `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { email } } }`,
      '{ _service { sdl } }',
    ]) {
      const res = await withoutSubgraphRequests(() => t.query(query, { token, purpose: 'LEGAL_OBLIGATION', headers: LEGAL }));
      expect(res.status).toBe(400);
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(res.body)).not.toContain(demo.email);
    }
  });
});

describe('subgraphs called directly', () => {
  const probes = {
    users: {
      query: `{ candidate(id: "${DEMO_IDS.candidate}") { email phone } }`,
      entities: `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { email phone } } }`,
    },
    employers: {
      query: `{ candidates(first: 5) { nodes { id applications { coverLetter } } } }`,
      entities: `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { applications { coverLetter } } } }`,
    },
    marketing: {
      query: `{ campaignAudience(campaignId: "${DEMO_IDS.campaign}") { nodes { id marketingProfile { adIdentifiers { value } } } } }`,
      entities: `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { marketingProfile { adIdentifiers { value } } } } }`,
    },
  } as const;

  const claims = {
    role: 'compliance',
    org: null,
    purposes: ['LEGAL_OBLIGATION'],
    purpose: 'LEGAL_OBLIGATION',
    legal_basis: ASCII_LEGAL_BASIS,
  };
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  async function assertion(key: CryptoKey | Uint8Array, kid: string, options: { alg?: string; typ?: string; iat?: number; exp?: number } = {}) {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'ES256', kid, typ: options.typ ?? 'caller-assertion+jwt' })
      .setSubject('compliance-officer')
      .setIssuer(ASSERTION_ISSUER)
      .setAudience(ASSERTION_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 60)
      .sign(key);
  }

  /** A direct call to a subgraph; a token is sent with a genuine binding to this body (so only the token is on trial). */
  async function callSubgraph(url: string, query: string, token: string | null) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const body = JSON.stringify({ query });
    if (token !== null) {
      headers[CALLER_ASSERTION_HEADER] = token;
      headers[CALLER_BINDING_HEADER] = bindCall(t.keys.bindingKey, token, body);
    }
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as GraphQLResponse['body'] };
  }

  it('answer a genuine assertion (control) and nothing else, for queries, _entities and _service', async () => {
    const kid = t.keys.assertion.kid;
    const now = Math.floor(Date.now() / 1000);
    const stranger = await generateKeyPair('ES256');
    const userToken = await t.token({ role: 'compliance', purposes: ['LEGAL_OBLIGATION'] });
    const [header, payload] = (await assertion(t.keys.assertion.privateKey, kid)).split('.');
    const forged: Record<string, string | null> = {
      'no assertion': null,
      'not a JWT': 'not.a.jwt',
      'signed by another key': await assertion(stranger.privateKey, kid),
      "signed with the user-token key under the assertion kid": await assertion(t.keys.issuer.privateKey, kid),
      'signed with the user-token key under its own kid': await assertion(t.keys.issuer.privateKey, t.keys.issuer.kid),
      'a user token': userToken,
      expired: await assertion(t.keys.assertion.privateKey, kid, { iat: now - 600, exp: now - 540 }),
      'alg none': `${b64({ alg: 'none', kid, typ: 'caller-assertion+jwt' })}.${payload}.`,
      'HS256 keyed with the public JWK': await assertion(new TextEncoder().encode(JSON.stringify(t.keys.assertion.jwks.keys[0])), kid, { alg: 'HS256' }),
      'payload swapped under a genuine signature': `${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'candidate' })}.${(await assertion(t.keys.assertion.privateKey, kid)).split('.')[2]}`,
    };
    const secrets = [demo.email, demo.phone];
    for (const [name, subgraph] of Object.entries(t.system.subgraphs) as [keyof typeof probes, { url: string }][]) {
      // Control: the same calls with a genuine assertion are answered, so the refusals below are about the assertion.
      const genuine = await callSubgraph(subgraph.url, probes[name].entities, await assertion(t.keys.assertion.privateKey, kid));
      expect(genuine.status, `${name} control`).toBe(200);
      expect(genuine.body.data?._entities?.[0], `${name} control`).toBeTruthy();
      for (const [what, token] of Object.entries(forged)) {
        for (const query of [probes[name].query, probes[name].entities, '{ _service { sdl } }']) {
          const res = await callSubgraph(subgraph.url, query, token);
          expect(res.status, `${name}, ${what}: ${query}`).toBe(401);
          expect(res.body.data ?? null, `${name}, ${what}`).toBeNull();
          expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
          for (const secret of secrets) expect(res.text).not.toContain(secret);
          expect(res.text).not.toContain('@key');
        }
      }
    }
  });
});

describe('captured subgraph calls replayed', () => {
  async function send(headers: Record<string, string>, body: string) {
    const res = await fetch(t.system.subgraphs.users.url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as GraphQLResponse['body'] };
  }

  it('refuse another body under a captured assertion and binding, the same call twice, and an old binding', async () => {
    const { createAssertionSigner } = await import('../directives/protocol/assertion.ts');
    // What the gateway sends for a support request under IDENTITY_VERIFICATION (which the gateway answers masked).
    const caller = { sub: 'support-agent', role: 'support', org: null, purposes: ['IDENTITY_VERIFICATION'], purpose: 'IDENTITY_VERIFICATION', legalBasis: null } as const;
    const assertion = await createAssertionSigner(t.keys.assertion)({ ...caller, purposes: [...caller.purposes] });
    const genuineBody = JSON.stringify({ query: `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { id } } }` });
    const headers = { 'content-type': 'application/json', [CALLER_ASSERTION_HEADER]: assertion, [CALLER_BINDING_HEADER]: bindCall(t.keys.bindingKey, assertion, genuineBody) };
    const first = await send(headers, genuineBody);
    expect(first.status).toBe(200);
    expect(first.body.data?._entities?.[0]).toEqual({ id: DEMO_IDS.candidate });

    const secrets = [demo.email, demo.phone];
    const replays: [string, Record<string, string>, string, RegExp][] = [
      ['the same call again', headers, genuineBody, /used before/],
      [
        'another body (raw e-mail, phone, residence card) under the same binding',
        headers,
        JSON.stringify({ query: `{ _entities(representations: [{ __typename: "Candidate", id: "${DEMO_IDS.candidate}" }]) { ... on Candidate { email phone residenceCard { number } } } }` }),
        /does not match/,
      ],
      ['no binding', { 'content-type': 'application/json', [CALLER_ASSERTION_HEADER]: assertion }, genuineBody, /binding missing/],
      [
        'a binding made 6 s ago',
        { ...headers, [CALLER_BINDING_HEADER]: bindCall(t.keys.bindingKey, assertion, genuineBody, Date.now() - 6_000) },
        genuineBody,
        /expired/,
      ],
      [
        'a binding made with another key',
        { ...headers, [CALLER_BINDING_HEADER]: bindCall(new Uint8Array(32).fill(7), assertion, genuineBody) },
        genuineBody,
        /does not match/,
      ],
    ];
    for (const [what, replayHeaders, body, message] of replays) {
      const res = await send(replayHeaders, body);
      expect(res.status, what).toBe(401);
      expect(res.body.data ?? null, what).toBeNull();
      expect(res.body.errors?.[0]?.extensions?.code, what).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.message, what).toMatch(message);
      for (const secret of secrets) expect(res.text, what).not.toContain(secret);
    }
  });
});

describe('purpose binding', () => {
  const query = `{ c: candidate(id: "${DEMO_IDS.candidate}") { id email } }`;

  async function refused(status: number, code: string, options: Parameters<TestSystem['query']>[1]) {
    const res = await withoutSubgraphRequests(() => t.query(query, options));
    expectRefused(res, status, code);
    expect(JSON.stringify(res.body)).not.toContain(demo.email);
    expectCleanErrors(res.body, { personal: [demo.email] });
    return res;
  }

  it('refuses a token claiming a purpose its role may not hold', async () => {
    for (const [role, purposes] of [
      ['marketer', ['MARKETING', 'SUPPORT']],
      ['analyst', ['ANALYTICS', 'SERVICE_PROVISION']],
      ['candidate', ['SERVICE_PROVISION', 'EMPLOYER_DISCLOSURE']],
      ['support', ['SUPPORT', 'LEGAL_OBLIGATION']],
    ] as const) {
      const token = await t.token({ role, purposes: [...purposes], org: null, sub: DEMO_IDS.candidate });
      await refused(403, 'PURPOSE_NOT_PERMITTED', { token, purpose: purposes[0] });
    }
  });

  it('refuses a purpose the token does not carry, unknown purposes included', async () => {
    const token = await t.token({ role: 'support', purposes: ['SUPPORT'] });
    for (const purpose of ['BILLING', 'MARKETING', 'ANALYTICS', 'support', 'SUPPORTX', 'SUPPORT,BILLING', 'GOSSIP']) {
      await refused(403, 'PURPOSE_NOT_PERMITTED', { token, purpose });
    }
    const unknownInToken = await t.token({ role: 'support', purposes: ['SUPPORT', 'GOSSIP' as never] });
    await refused(403, 'PURPOSE_NOT_PERMITTED', { token: unknownInToken, purpose: 'SUPPORT' });
  });

  it('requires x-purpose when the token allows more than one purpose', async () => {
    await refused(403, 'PURPOSE_REQUIRED', { token: await t.token({ role: 'support' }) });
    await refused(403, 'PURPOSE_REQUIRED', { token: await t.token({ role: 'marketer' }) });
    // A single-purpose token binds that purpose without the header.
    const single = await t.query(query, { token: await t.token({ role: 'support', purposes: ['SUPPORT'] }) });
    expect(single.body.data!.c.email).toBe(demo.email);
  });

  it('requires the compliance role and an x-legal-basis reference for a legal-basis purpose', async () => {
    const token = await t.token({ role: 'compliance' });
    await refused(403, 'LEGAL_BASIS_REQUIRED', { token, purpose: 'LEGAL_OBLIGATION' });
    await refused(403, 'LEGAL_BASIS_REQUIRED', { token, purpose: 'VITAL_INTEREST', headers: { 'x-legal-basis': '  ' } });
    await refused(403, 'LEGAL_BASIS_REQUIRED', { token, purpose: 'PUBLIC_HEALTH', headers: { 'x-legal-basis': 'x' } });
    await refused(403, 'LEGAL_BASIS_REQUIRED', { token, purpose: 'GOVERNMENT_COOPERATION', headers: { 'x-legal-basis': 'see <script>' } });
    // Another role declaring a legal basis is told it needs one (the contract's LEGAL_BASIS_REQUIRED); a token that
    // claims one for a role that may not hold it is refused as a whole.
    const support = await t.token({ role: 'support' });
    await refused(403, 'LEGAL_BASIS_REQUIRED', { token: support, purpose: 'LEGAL_OBLIGATION', headers: LEGAL });
    const overreaching = await t.token({ role: 'support', purposes: ['SUPPORT', 'LEGAL_OBLIGATION'] });
    await refused(403, 'PURPOSE_NOT_PERMITTED', { token: overreaching, purpose: 'LEGAL_OBLIGATION', headers: LEGAL });
    // With the role and a reference, the request runs.
    const ok = await t.query(query, { token, purpose: 'LEGAL_OBLIGATION', headers: LEGAL });
    expect(ok.body.data!.c.email).toBe(demo.email);
  });

  // Node decodes header bytes as Latin-1; the gateway decodes x-legal-basis as UTF-8 so Japanese references pass.
  it('accepts a Japanese court case number as the legal basis', async () => {
    const res = await t.query(query, {
      token: await t.token({ role: 'compliance' }),
      purpose: 'LEGAL_OBLIGATION',
      headers: legalBasisHeader(JAPANESE_LEGAL_BASIS),
    });
    expect(res.status).toBe(200);
    expect(res.body.data!.c.email).toBe(demo.email);
  });
});

describe('other candidates', () => {
  it('a candidate gets null for another candidate by id or node, and nothing of theirs', async () => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const others = [DEMO_IDS.openCandidate, DEMO_IDS.noConsentCandidate];
    const emails = await emailsOf(others);
    for (const other of others) {
      const res = await t.query(`query($id: ID!) { c: candidate(id: $id) { id email } n: node(id: $id) { id ... on Candidate { email } } }`, {
        token,
        variables: { id: other },
      });
      expect(res.body).toEqual({ data: { c: null, n: null } });
    }
    const lists = await t.query(
      `query($c: ID!) { candidates(first: 100) { nodes { id email } } campaignAudience(campaignId: $c, first: 100) { nodes { id email } } }`,
      { token, variables: { c: DEMO_IDS.campaign } },
    );
    expect(lists.body).toEqual({ data: { candidates: { nodes: [] }, campaignAudience: { nodes: [] } } });
    for (const email of emails.values()) expect(JSON.stringify(lists.body)).not.toContain(email);
  });

  it('a candidate cannot reach other applicants through nested paths', async () => {
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const res = await t.query(
      `{ me { id applications { candidateId candidate { id email }
          job { applications(first: 100) { nodes { id candidateId candidate { id email fullName } } }
                employer { jobs(first: 20) { nodes { applications(first: 100) { nodes { candidateId coverLetter candidate { email phone } } } } } } } } } }`,
      { token },
    );
    expect(res.status).toBe(200);
    const me = res.body.data!.me;
    expect(me.applications.length).toBeGreaterThan(0);
    for (const application of me.applications) {
      expect(application.candidateId).toBe(DEMO_IDS.candidate);
      expect(application.candidate).toEqual({ id: DEMO_IDS.candidate, email: demo.email });
      expect(application.job.applications.nodes).toEqual([]);
      for (const job of application.job.employer.jobs.nodes) expect(job.applications.nodes).toEqual([]);
    }
    // The other applicants of the demo job, read under a legal basis: none of them appears.
    const applicants = await compliance(`{ job(id: "${DEMO_IDS.job}") { applications(first: 100) { nodes { candidate { id email } } } } }`);
    const others = (applicants.job.applications.nodes as any[]).map((n) => n.candidate).filter((c) => c.id !== DEMO_IDS.candidate);
    expect(others.length).toBeGreaterThan(0);
    const body = JSON.stringify(res.body);
    for (const other of others) {
      expect(body).not.toContain(other.id);
      expect(body).not.toContain(other.email);
    }
  });
});

describe('reserved aliases', () => {
  it('rejects client aliases starting with _pv_ before anything runs', async () => {
    const token = await t.token({ role: 'marketer' });
    for (const query of [
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { _pv_s: id email } }`,
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { _pv_x: email } }`,
      `{ _pv_t: __typename }`,
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { ...F } } fragment F on Candidate { _pv_e: fullName }`,
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { id _pv_s: id @skip(if: true) } }`,
      `{ n: node(id: "${DEMO_IDS.candidate}") { ... on Candidate { _pv_t: id } } }`,
    ]) {
      const res = await withoutSubgraphRequests(() => t.query(query, { token, purpose: 'SURVEY' }));
      expectRefused(res, 400, 'BAD_USER_INPUT');
      expect(res.body.errors![0]!.message).toMatch(/reserved/);
    }
  });
});

describe('aliases that are object keys with a meaning', () => {
  it('refuses aliases starting with "__", __proto__ included, before anything runs', async () => {
    const token = await t.token({ role: 'support' });
    for (const query of [
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { __proto__: email } }`,
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { id __proto__: address { prefecture } } }`,
      `{ __proto__: __typename }`,
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { ...F } } fragment F on Candidate { __x: phone }`,
    ]) {
      const res = await withoutSubgraphRequests(() => t.query(query, { token, purpose: 'FRAUD_PREVENTION' }));
      expectRefused(res, 400, 'BAD_USER_INPUT');
      expect(res.body.errors![0]!.message).toMatch(/reserved/);
    }
  });

  it('shapes constructor, toString and hasOwnProperty aliases like any other key', async () => {
    const res = await t.query(
      `query($id: ID!, $no: Boolean = false) { c: candidate(id: $id) { constructor: email toString: phone hasOwnProperty: fullName @include(if: $no) valueOf: id } }`,
      { token: await t.token({ role: 'support' }), purpose: 'FRAUD_PREVENTION', variables: { id: DEMO_IDS.candidate } },
    );
    expect(res.status).toBe(200);
    const c = res.body.data!.c;
    expect(Object.keys(c).sort()).toEqual(['constructor', 'toString', 'valueOf']);
    expect(c.constructor).toBe(`${demo.email[0]}***@${demo.email.split('@')[1]}`);
    expect(c.toString).toMatch(/^[*-]+\d{4}$/);
    expect(c.valueOf).toBe(DEMO_IDS.candidate);
    expect(JSON.stringify(res.body)).not.toContain(demo.email);
    expect(JSON.stringify(res.body)).not.toContain(demo.phone);
  });
});

describe('operation limits', () => {
  const token = () => t.token({ role: 'candidate', sub: DEMO_IDS.candidate });

  it('refuses deep nesting, too many aliases and too many fields with QUERY_TOO_COMPLEX before any subgraph is asked', async () => {
    let deep = 'id';
    for (let i = 0; i < 5; i++) deep = `employer { jobs(first: 1) { nodes { ${deep} } } }`;
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    const fields = Array.from({ length: 401 }, () => 'id').join(' ');
    for (const query of [
      `{ me { applications { job { ${deep} } } } }`,
      `{ me { id ${aliases} } }`,
      `{ me { ${fields} } }`,
    ]) {
      const res = await withoutSubgraphRequests(async () => t.query(query, { token: await token() }));
      expectRefused(res, 400, 'QUERY_TOO_COMPLEX');
    }
  });

  it('refuses a huge document before any subgraph is asked', async () => {
    const huge = `{ me { ${Array.from({ length: 6000 }, (_, i) => `f${i}: id`).join(' ')} } }`;
    const repeated = `{ me { ${Array.from({ length: 1500 }, () => 'id').join(' ')} } }`;
    for (const query of [huge, repeated]) {
      const res = await withoutSubgraphRequests(async () => t.query(query, { token: await token() }));
      expect(res.status).toBe(400);
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors).toHaveLength(1);
    }
  });

  it('names a document over the token limit QUERY_TOO_COMPLEX', async () => {
    const huge = `{ me { ${Array.from({ length: 6000 }, (_, i) => `f${i}: id`).join(' ')} } }`;
    const res = await t.query(huge, { token: await token() });
    expect(res.body.errors![0]!.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  // graphql's overlapping-fields rule gives up on a few hundred repeated fields ("Validation aborted.").
  it('names a document that exhausts validation QUERY_TOO_COMPLEX', async () => {
    const repeated = `{ me { ${Array.from({ length: 1500 }, () => 'id').join(' ')} } }`;
    const res = await t.query(repeated, { token: await token() });
    expect(res.body.errors![0]!.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('error hygiene', () => {
  const timestampCursor = Buffer.from(JSON.stringify(['2026-99-99T99:99:99.999999Z', DEMO_IDS.candidate])).toString('base64url');

  it('subgraph errors never carry SQL, stack traces or personal data', async () => {
    const support = await t.token({ role: 'support' });
    const candidate = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const letter = `Please reach me at ${demo.email} or ${demo.phone}. ${'よろしくお願いいたします。'.repeat(400)}`;
    const cases: [string, Parameters<TestSystem['query']>[1], string][] = [
      ['{ jobs(first: 2, after: "nope") { nodes { id } } }', { token: support, purpose: 'SUPPORT' }, 'BAD_USER_INPUT'],
      [`{ candidates(first: 2, after: "${timestampCursor}") { nodes { id email } } }`, { token: support, purpose: 'SUPPORT' }, 'INTERNAL_SERVER_ERROR'],
      [
        `{ job(id: "${DEMO_IDS.job}") { applications(first: 2, after: "${timestampCursor}") { nodes { coverLetter } } } }`,
        { token: support, purpose: 'SUPPORT' },
        'INTERNAL_SERVER_ERROR',
      ],
      ['{ jobs(first: 1000) { nodes { id } } }', { token: support, purpose: 'SUPPORT' }, 'BAD_USER_INPUT'],
      ['mutation { applyToJob(jobId: "00000000-0000-4000-8000-00000000ffff", coverLetter: "hi") { id } }', { token: candidate }, 'NOT_FOUND'],
      [`mutation { applyToJob(jobId: "1' or '1'='1", coverLetter: "hi") { id } }`, { token: candidate }, 'NOT_FOUND'],
      [
        'mutation($l: String) { applyToJob(jobId: "00000000-0000-4000-8000-0000000000a1", coverLetter: $l) { id } }',
        { token: candidate, variables: { l: letter } },
        'BAD_USER_INPUT',
      ],
      ['mutation { applyToJob(jobId: "00000000-0000-4000-8000-0000000000a1") { id } }', { token: support, purpose: 'SUPPORT' }, 'FORBIDDEN'],
    ];
    for (const [query, options, code] of cases) {
      const res = await t.query(query, options);
      expect(res.body.errors?.[0]?.extensions?.code, query).toBe(code);
      expectCleanErrors(res.body, { personal: [demo.email, demo.phone, letter.slice(0, 40)] });
      if (code === 'INTERNAL_SERVER_ERROR') expect(res.body.errors![0]!.message).toBe('Internal server error.');
      expect(JSON.stringify(res.body.errors)).not.toMatch(/sqlState|timestamptz|uuid\b|::/);
    }
  });

  it('a failing list does not take the rest of the response with it, nor leak through it', async () => {
    const res = await t.query(
      `{ c: candidate(id: "${DEMO_IDS.candidate}") { id email } j: job(id: "${DEMO_IDS.job}") { applications(first: 2, after: "${timestampCursor}") { nodes { id } } } }`,
      { token: await t.token({ role: 'support' }), purpose: 'SUPPORT' },
    );
    expect(res.body.data!.c).toEqual({ id: DEMO_IDS.candidate, email: demo.email });
    expect(at(res.body.data, ['j'])).toBeNull();
    expect(res.body.errors!.map((e) => e.path)).toEqual([['j', 'applications']]);
  });
});
