import { buildSchema, parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { BoundCaller } from '../caller.ts';
import type { ConsentRecord, ConsentScope } from '../decide.ts';
import { readPrivacyIndex } from '../policy.ts';
import { privacyDirectiveDefinitions } from '../sdl.ts';
import { validatePrivacyIndex } from '../validate.ts';
import { planOperation } from './operation.ts';
import { ConsentPrefetch, shapeResponse } from './response.ts';

const sdl = `${privacyDirectiveDefinitions}
type Query { me: Person  people: [Person!]!  node(id: ID!): Node  stats: Stats @aggregate(purposes: [ANALYTICS]) }
type Stats { total: Int }
interface Node { id: ID! }
type Person implements Node @dataSubject(field: "id") {
  id: ID! @notPersonal
  name: String @pii(category: NAME, purposes: [SERVICE_PROVISION, SUPPORT, MARKETING, FRAUD_PREVENTION], masked: [SURVEY], mask: NAME_INITIAL) @consentRequired(purposes: [MARKETING, SURVEY])
  email: String @pii(category: CONTACT, purposes: [SERVICE_PROVISION, MARKETING], masked: [SUPPORT], mask: EMAIL) @consentRequired(purposes: [MARKETING])
  address: Address @pii(category: ADDRESS, purposes: [SERVICE_PROVISION], masked: [SUPPORT], mask: PREFECTURE_ONLY)
  career: Career @pii(category: CAREER, purposes: [SERVICE_PROVISION, MARKETING]) @consentRequired(purposes: [MARKETING])
  history: Career @notPersonal(reason: "a container: its fields are classified")
}
type Career {
  headline: String @pii(category: CAREER, purposes: [SERVICE_PROVISION, MARKETING]) @consentRequired(purposes: [MARKETING])
  years: Int @notPersonal(reason: "a count, no one in particular")
}
type Address {
  prefecture: String @pii(category: ADDRESS, purposes: [SERVICE_PROVISION, SUPPORT])
  city: String @pii(category: ADDRESS, purposes: [SERVICE_PROVISION, SUPPORT])
}
type Job { id: ID! title: String! }
`;
const schema = buildSchema(sdl);
const { index, problems } = readPrivacyIndex(parse(sdl));
const caller = (purpose: BoundCaller['purpose'], role: BoundCaller['role'], sub = 'p1'): BoundCaller => ({
  sub,
  role,
  org: null,
  purposes: [purpose],
  purpose,
  legalBasis: null,
});
const plan = (query: string, c: BoundCaller, operationName?: string) =>
  planOperation({ schema, index, document: parse(query), operationName, caller: c });
const shapeOptions = (c: BoundCaller, consents: Map<string, ConsentRecord[]> | Error = new Map(), variables?: Record<string, unknown>) => ({
  caller: c,
  variables,
  now: new Date('2026-11-01T00:00:00Z'),
  mask: { pseudonymKey: new Uint8Array(32).fill(7), now: new Date('2026-11-01T00:00:00Z') },
  loadConsents: async () => {
    if (consents instanceof Error) throw consents;
    return consents;
  },
});

describe('the test schema', () => {
  it('is valid', () => {
    expect(problems).toEqual([]);
    expect(validatePrivacyIndex(schema, index)).toEqual([]);
  });
});

describe('planOperation', () => {
  it('releases a statistics field to the analyst only, and keeps an operation valid when it withholds every root field', () => {
    const analyst = plan('{ stats { total } }', caller('ANALYTICS', 'analyst'));
    expect(analyst.deniedCoordinates).toEqual([]);
    const support = plan('{ stats { total } }', caller('SUPPORT', 'support'));
    expect(support.deniedCoordinates).toEqual(['Query.stats']);
    expect(print(support.document)).toContain('_pv_e: __typename');
    expect(validate(schema, support.document)).toEqual([]);
  });

  it('removes denied fields from every alias and fragment before planning, keeping the document valid', () => {
    const query = 'query Q { people { a: email b: email ...F ... on Person { c: email } name } } fragment F on Person { d: email }';
    const p = plan(query, caller('ANALYTICS', 'analyst'));
    const printed = print(p.document);
    expect(printed).not.toMatch(/email/);
    expect(printed).not.toMatch(/\bname\b/);
    expect(validate(schema, p.document)).toEqual([]);
    expect(p.deniedCoordinates).toEqual(['Person.email', 'Person.name']);
  });

  it('never mutates the cached input document and gives each purpose its own query hash', () => {
    const document = parse('{ me { id email } }');
    const before = print(document);
    const analyst = planOperation({ schema, index, document, operationName: undefined, caller: caller('ANALYTICS', 'analyst') });
    const candidate = planOperation({ schema, index, document, operationName: undefined, caller: caller('SERVICE_PROVISION', 'candidate') });
    expect(print(document)).toBe(before);
    expect(analyst.queryHash).not.toBe(candidate.queryHash);
  });

  it('adds hidden typename and subject selections for abstract types', () => {
    const p = plan('{ node(id: "1") { ... on Person { email } } }', caller('SERVICE_PROVISION', 'candidate'));
    expect(print(p.document)).toMatch(/_pv_t: __typename/);
    expect(print(p.document)).toMatch(/_pv_s: id/);
    expect(validate(schema, p.document)).toEqual([]);
  });

  it('rejects reserved aliases and operations over the limits', () => {
    expect(() => plan('{ me { _pv_s: id } }', caller('SERVICE_PROVISION', 'candidate'))).toThrow(/reserved/);
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
    expect(() => plan(`{ me { ${aliases} } }`, caller('SERVICE_PROVISION', 'candidate'))).toThrow(/aliases/);
  });
});

describe('shapeResponse', () => {
  it('restores withheld fields as null with one error per concrete path, list items and aliases included', async () => {
    const c = caller('ANALYTICS', 'analyst');
    const p = plan('{ people { id a: email b: email } }', c);
    const shaped = await shapeResponse(p, { people: [{ id: 'p1', _pv_s: 'p1' }, { id: 'p2', _pv_s: 'p2' }] }, shapeOptions(c));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', a: null, b: null }, { id: 'p2', a: null, b: null }] });
    expect(shaped.errors.map((e) => e.path)).toEqual([
      ['people', 0, 'a'],
      ['people', 0, 'b'],
      ['people', 1, 'a'],
      ['people', 1, 'b'],
    ]);
    expect(new Set(shaped.errors.map((e) => e.extensions.code))).toEqual(new Set(['PII_REDACTED']));
  });

  it('honours @include with variables', async () => {
    const c = caller('ANALYTICS', 'analyst');
    const p = plan('query($x: Boolean!) { me { id email @include(if: $x) } }', c);
    const off = await shapeResponse(p, { me: { id: 'p1', _pv_s: 'p1' } }, shapeOptions(c, new Map(), { x: false }));
    expect(off.data).toEqual({ me: { id: 'p1' } });
    expect(off.errors).toEqual([]);
    const on = await shapeResponse(p, { me: { id: 'p1', _pv_s: 'p1' } }, shapeOptions(c, new Map(), { x: true }));
    expect(on.data).toEqual({ me: { id: 'p1', email: null } });
    expect(on.errors).toHaveLength(1);
  });

  it('masks, listing every masked path, and masks objects after their children are shaped', async () => {
    const c = caller('SUPPORT', 'support');
    const p = plan('{ me { email address { prefecture city } } }', c);
    const shaped = await shapeResponse(p, { me: { _pv_s: 'p1', email: 'taro@example.com', address: { prefecture: '東京都', city: '港区' } } }, shapeOptions(c));
    expect(shaped.data).toEqual({ me: { email: 't***@example.com', address: { prefecture: '東京都', city: null } } });
    expect(shaped.masked.map((m) => m.coordinate)).toEqual(['Person.email', 'Person.address']);
    expect(shaped.disclosure.released.has('Address.city')).toBe(false);
  });

  it("limits SERVICE_PROVISION to the caller's own record", async () => {
    const c = caller('SERVICE_PROVISION', 'candidate', 'p1');
    const p = plan('{ people { id email } }', c);
    const shaped = await shapeResponse(p, { people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: 'b@x.jp' }] }, shapeOptions(c));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: null }] });
    expect(JSON.stringify(shaped)).not.toContain('b@x.jp');
  });

  it('withholds consent-gated fields per subject and fails closed when the lookup fails', async () => {
    const c = caller('MARKETING', 'marketer');
    const p = plan('{ people { id email } }', c);
    const data = () => ({ people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: 'b@x.jp' }] });
    const consents = new Map([['p1', [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED' as const, expiresAt: null }]]]);
    const shaped = await shapeResponse(p, data(), shapeOptions(c, consents));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: null }] });
    expect(shaped.errors).toEqual([expect.objectContaining({ path: ['people', 1, 'email'], extensions: { code: 'CONSENT_REQUIRED', coordinate: 'Person.email' } })]);
    expect([...shaped.disclosure.released.get('Person.email')!]).toEqual(['p1']);
    const failed = await shapeResponse(p, data(), shapeOptions(c, new Error('database down')));
    expect(failed.data).toEqual({ people: [{ id: 'p1', email: null }, { id: 'p2', email: null }] });
  });

  it('reads the subject id from the client\'s own unconditional id selection, and from nothing an alias can fake', async () => {
    const c = caller('MARKETING', 'marketer');
    const consents = new Map([['p1', [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED' as const, expiresAt: null }]]]);

    // A plain `id` is the subject: nothing hidden is added and nothing else is read.
    const own = plan('{ people { id email } }', c);
    expect(print(own.document)).not.toContain('_pv_s');
    const shaped = await shapeResponse(own, { people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: 'b@x.jp' }] }, shapeOptions(c, consents));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', email: 'a@x.jp' }, { id: 'p2', email: null }] });

    // Aliased elsewhere, aliased to, or conditional: the hidden alias is added and is the only thing read.
    for (const [query, variables] of [
      ['{ people { id: name email } }', undefined],
      ['{ people { other: id email } }', undefined],
      ['query($x: Boolean = false) { people { id @include(if: $x) email } }', { x: true }],
    ] as const) {
      const p = plan(query, c);
      expect(print(p.document), query).toContain('_pv_s: id');
      const data = { people: [{ id: 'p1', other: 'p1', name: 'p1', _pv_s: 'p2', email: 'b@x.jp' }] };
      const out = await shapeResponse(p, data, shapeOptions(c, consents, variables));
      expect(out.data!.people, query).toEqual([expect.objectContaining({ email: null })]);
      expect(JSON.stringify(out), query).not.toContain('b@x.jp');
    }
  });

  it('never lets a hidden selection through, whether the result is shaped in place or copied', async () => {
    const c = caller('MARKETING', 'marketer');
    const consents = new Map([['p1', [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED' as const, expiresAt: null }]]]);
    // The id comes through a fragment, so the rewrite also adds the hidden subject alias next to it.
    const p = plan('{ people { ...F email } } fragment F on Person { id }', c);
    expect(print(p.document)).toContain('_pv_s: id');
    const shaped = await shapeResponse(p, { people: [{ id: 'p1', email: 'a@x.jp', _pv_s: 'p1' }] }, shapeOptions(c, consents));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', email: 'a@x.jp' }] });
    expect(Object.keys((shaped.data!.people as object[])[0]!)).toEqual(['id', 'email']);
  });

  it('records in the disclosure summary exactly the values released, in clear or masked, and nothing below a withheld or masked value', async () => {
    const granted = new Map([['p1', [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED' as const, expiresAt: null }]]]);
    // Consent-gated object: released for p1 with its field; for p2 neither the object nor anything below it.
    const marketer = caller('MARKETING', 'marketer');
    const p = plan('{ people { id career { headline years } } }', marketer);
    const data = { people: [{ id: 'p1', career: { headline: 'h1', years: 3 } }, { id: 'p2', career: { headline: 'h2', years: 5 } }] };
    const shaped = await shapeResponse(p, data, shapeOptions(marketer, granted));
    expect(shaped.data).toEqual({ people: [{ id: 'p1', career: { headline: 'h1', years: 3 } }, { id: 'p2', career: null }] });
    expect(shaped.errors.map((e) => e.path)).toEqual([['people', 1, 'career']]);
    expect(Object.fromEntries([...shaped.disclosure.released].map(([k, v]) => [k, [...v]]))).toEqual({
      'Person.career': ['p1'],
      'Career.headline': ['p1'],
    });
    expect(shaped.disclosure.withheld.get('Person.career')).toEqual(new Set(['NO_CONSENT']));

    // Masked object: the masked field counts as released, the fields inside it do not; clear fields do.
    const support = caller('SUPPORT', 'support');
    const q = plan('{ people { id name address { prefecture city } } }', support);
    const out = await shapeResponse(q, { people: [{ id: 'p1', name: 'Taro', address: { prefecture: '東京都', city: '港区' } }] }, shapeOptions(support));
    expect(out.data).toEqual({ people: [{ id: 'p1', name: 'Taro', address: { prefecture: '東京都', city: null } }] });
    expect(Object.fromEntries([...out.disclosure.released].map(([k, v]) => [k, [...v]]))).toEqual({
      'Person.name': ['p1'],
      'Person.address': ['p1'],
    });
  });

  it('loads consent once, for exactly the subjects of consent-gated values, scoped to what the operation needs', async () => {
    const c = caller('MARKETING', 'marketer');
    const granted = (id: string): [string, ConsentRecord[]] => [id, [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED', expiresAt: null }]];
    const calls: { subjects: readonly string[]; scope: ConsentScope | undefined }[] = [];
    const options = {
      ...shapeOptions(c),
      loadConsents: async (subjects: readonly string[], scope?: ConsentScope) => {
        calls.push({ subjects, scope });
        return new Map([granted('p2'), granted('p3'), granted('p5')]);
      },
    };
    // people: only p2's career is consent-gated (p1 selects no personal field: `years` is below a null career);
    // me: email; node: an interface, so its subject and type come from the hidden selections.
    const p = plan('{ people { id career { years } } me { id email } node(id: "n") { ... on Person { name career { headline } } } }', c);
    const data = {
      people: [{ id: 'p1', career: null }, { id: 'p2', career: { years: 2 } }],
      me: { id: 'p3', email: 'c@x.jp' },
      node: { _pv_t: 'Person', _pv_s: 'p4', name: 'Shiro', career: { headline: 'h4' } },
    };
    const shaped = await shapeResponse(p, data, options);
    expect(calls).toHaveLength(1);
    expect([...calls[0]!.subjects].sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(calls[0]!.scope).toEqual({ purposes: ['MARKETING'], recipient: null, now: options.now });
    expect(shaped.data).toEqual({
      people: [{ id: 'p1', career: null }, { id: 'p2', career: { years: 2 } }],
      me: { id: 'p3', email: 'c@x.jp' },
      node: { name: null, career: null },
    });
    // p1's career is null already: its missing consent is still reported. Nothing below p4's withheld career is.
    expect(shaped.errors.map((e) => [e.path.join('.'), e.extensions.code])).toEqual([
      ['people.0.career', 'CONSENT_REQUIRED'],
      ['node.name', 'CONSENT_REQUIRED'],
      ['node.career', 'CONSENT_REQUIRED'],
    ]);

    // A consent-gated field below an object that needs no consent itself: its subject is still collected.
    calls.length = 0;
    const nested = await shapeResponse(plan('{ people { id history { headline } } }', c), {
      people: [{ id: 'p1', history: { headline: 'h1' } }, { id: 'p2', history: { headline: 'h2' } }],
    }, options);
    expect([...calls[0]!.subjects].sort()).toEqual(['p1', 'p2']);
    expect(nested.data).toEqual({ people: [{ id: 'p1', history: { headline: null } }, { id: 'p2', history: { headline: 'h2' } }] });

    // Nothing consent-gated selected (or no subject in the data): no lookup at all.
    calls.length = 0;
    await shapeResponse(plan('{ people { id } }', c), { people: [{ id: 'p1' }] }, options);
    await shapeResponse(p, { people: [], me: null, node: null }, options);
    expect(calls).toEqual([]);
  });

  it("uses consent asked for during execution when it covers the response's subjects, and asks again when it does not", async () => {
    const c = caller('MARKETING', 'marketer');
    const granted = (id: string): [string, ConsentRecord[]] => [id, [{ purpose: 'MARKETING', recipientId: null, state: 'GRANTED', expiresAt: null }]];
    const calls: (readonly string[])[] = [];
    const loadConsents = async (subjects: readonly string[]) => {
      calls.push(subjects);
      return new Map([granted('p1'), granted('p3')].filter(([id]) => subjects.includes(id)));
    };
    const options = { ...shapeOptions(c), loadConsents };
    const p = plan('{ people { id email career { headline } } }', c);
    expect([...p.consent!.subjectFields]).toEqual([['Person', 'id']]);
    const data = () => ({
      people: [
        { id: 'p1', email: 'a@x.jp', career: { headline: 'h1' } },
        { id: 'p2', email: 'b@x.jp', career: { headline: 'h2' } },
        { id: 'p3', email: 'c@x.jp', career: null },
      ],
    });
    const alone = await shapeResponse(p, data(), options);
    expect(alone.data).toEqual({
      people: [
        { id: 'p1', email: 'a@x.jp', career: { headline: 'h1' } },
        { id: 'p2', email: null, career: null },
        { id: 'p3', email: 'c@x.jp', career: null },
      ],
    });

    // Representations name the subjects: each is asked for once, other types and malformed entries are ignored.
    calls.length = 0;
    const prefetch = ConsentPrefetch.forPlan(p, c, options.now, loadConsents)!;
    prefetch.entities([{ __typename: 'Person', id: 'p1' }, { __typename: 'Person', id: 'p2' }, { __typename: 'Job', id: 'j1' }, null, 'p9', { __typename: 'Person', id: 7 }]);
    prefetch.entities([{ __typename: 'Person', id: 'p2' }, { __typename: 'Person', id: 'p3' }]);
    prefetch.entities(undefined);
    expect(calls).toEqual([['p1', 'p2'], ['p3']]);
    const covered = await shapeResponse(p, data(), { ...options, prefetched: prefetch });
    expect(calls).toHaveLength(2);
    expect(covered).toEqual(alone);

    // A subject nobody asked for: everything is asked again, in one lookup.
    calls.length = 0;
    const partial = ConsentPrefetch.forPlan(p, c, options.now, loadConsents)!;
    partial.entities([{ __typename: 'Person', id: 'p1' }]);
    const again = await shapeResponse(p, data(), { ...options, prefetched: partial });
    expect(calls).toEqual([['p1'], ['p1', 'p2', 'p3']]);
    expect(again).toEqual(alone);

    // A failed prefetch denies every consent-gated value (no second chance to release).
    const failing = ConsentPrefetch.forPlan(p, c, options.now, async () => {
      throw new Error('lookup failed');
    })!;
    failing.entities([{ __typename: 'Person', id: 'p1' }, { __typename: 'Person', id: 'p2' }, { __typename: 'Person', id: 'p3' }]);
    const denied = await shapeResponse(p, data(), { ...options, prefetched: failing });
    expect(denied.data).toEqual({ people: [1, 2, 3].map((i) => ({ id: `p${i}`, email: null, career: null })) });

    // A mutation's consent is asked for after it has run whole: no prefetch.
    const mutationSdl = `${sdl}\ntype Mutation { touch: Person }`;
    const mutationSchema = buildSchema(mutationSdl);
    const mutationIndex = readPrivacyIndex(parse(mutationSdl)).index;
    const mutation = planOperation({ schema: mutationSchema, index: mutationIndex, document: parse('mutation { touch { id email } }'), operationName: undefined, caller: c });
    expect(mutation.consent).not.toBeNull();
    expect(ConsentPrefetch.forPlan(mutation, c, options.now, loadConsents)).toBeUndefined();
    // An operation without consent checks prefetches nothing.
    expect(ConsentPrefetch.forPlan(plan('{ people { id years: email } }', caller('SERVICE_PROVISION', 'candidate')), c, options.now, loadConsents)).toBeUndefined();
  });

  it('leaves a response that nothing changes as it is, and reads its disclosure summary off it when asked', async () => {
    // FRAUD_PREVENTION cannot be restricted: no per-subject check (SUPPORT can be, so it checks each subject).
    const support = caller('FRAUD_PREVENTION', 'support');
    const p = plan('{ people { id name } me { id } }', support);
    expect(p.passThrough).toBe(true);
    expect(plan('{ people { id name } }', caller('SUPPORT', 'support')).passThrough).toBe(false);
    const data = { people: [{ id: 'p1', name: 'Taro' }, { id: 'p2', name: null }], me: { id: 'p3' } };
    const shaped = await shapeResponse(p, data, shapeOptions(support));
    expect(shaped.data).toBe(data);
    expect(shaped.data).toEqual({ people: [{ id: 'p1', name: 'Taro' }, { id: 'p2', name: null }], me: { id: 'p3' } });
    expect([shaped.errors, shaped.masked]).toEqual([[], []]);
    // The same summary as the full pass gives: p2's null name was not released, ids are not personal.
    expect(Object.fromEntries([...shaped.disclosure.released].map(([k, v]) => [k, [...v]]))).toEqual({ 'Person.name': ['p1'] });
    expect(shaped.disclosure.withheld.size).toBe(0);
    const full = await shapeResponse({ ...p, passThrough: false }, structuredClone(data), shapeOptions(support));
    expect(full.disclosure.released).toEqual(shaped.disclosure.released);

    // Anything to change, and the pass runs: a mask, a withheld field, a consent check, a hidden selection.
    expect(plan('{ people { id email } }', support).passThrough).toBe(false);
    expect(plan('{ people { id career { years } } }', support).passThrough).toBe(false);
    expect(plan('{ people { id name } }', caller('MARKETING', 'marketer')).passThrough).toBe(false);
    const hidden = plan('{ node(id: "1") { id } }', support);
    expect(print(hidden.document)).toContain('_pv_t');
    expect(hidden.passThrough).toBe(false);
  });

  it('reads the same disclosure summary off a pass-through result as the full pass records, odd values included', async () => {
    const support = caller('FRAUD_PREVENTION', 'support');
    const p = plan('{ people { id name n2: name history { years } } me { id name } }', support);
    expect(p.passThrough).toBe(true);
    const data = {
      people: [
        { id: 'p1', name: 'Taro', n2: 'Taro', history: { years: 3 } },
        { id: 'p2', name: null, n2: 'Jiro', history: 'not an object' },
        { id: 7, name: 'no subject id', n2: null, history: null },
        { id: 'p4', n2: 'skipped name' },
      ],
      me: { id: 'p3', name: 'Hanako' },
    };
    const deferred = await shapeResponse(p, structuredClone(data), shapeOptions(support));
    const full = await shapeResponse({ ...p, passThrough: false }, structuredClone(data), shapeOptions(support));
    const summary = (d: typeof full.disclosure) => Object.fromEntries([...d.released].map(([k, v]) => [k, [...v].sort()]));
    expect(summary(deferred.disclosure)).toEqual(summary(full.disclosure));
    // An alias releases its field (p2's n2, p4's n2 without a name); a non-string id is no identifiable subject.
    expect(summary(deferred.disclosure)).toEqual({ 'Person.name': [null, 'p1', 'p2', 'p3', 'p4'] });
    expect([deferred.disclosure.withheld.size, deferred.disclosure.consentEvents.size]).toEqual([0, 0]);
  });

  it('withholds an object whose concrete type cannot be told', async () => {
    const c = caller('SERVICE_PROVISION', 'candidate');
    const p = plan('{ node(id: "1") { id } }', c);
    const shaped = await shapeResponse(p, { node: { id: '1' } }, shapeOptions(c));
    expect(shaped.data).toEqual({ node: null });
  });
});

describe('validatePrivacyIndex', () => {
  const problemsOf = (typeSdl: string) => {
    const s = `${privacyDirectiveDefinitions}\ntype Query { p: P }\n${typeSdl}`;
    const read = readPrivacyIndex(parse(s));
    return [...read.problems, ...validatePrivacyIndex(buildSchema(s), read.index)];
  };
  it.each([
    ['a non-null personal field', 'type P { id: ID! @notPersonal  email: String! @pii(category: CONTACT, purposes: [SUPPORT]) }', 'P.email', /nullable/],
    ['an untagged field of a personal type', 'type P { id: ID!  email: String @pii(category: CONTACT, purposes: [SUPPORT]) }', 'P.id', /neither/],
    ['a personal field without purposes', 'type P { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: []) }', 'P.email', /no purpose/],
    ['a masked purpose without strategy', 'type P { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: [SUPPORT], masked: [BILLING]) }', 'P.email', /strategy/],
    ['a consent purpose without @consentRequired', 'type P { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: [MARKETING]) }', 'P.email', /consent/],
    ['an aggregate-only purpose', 'type P { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: [ANALYTICS]) }', 'P.email', /aggregates/],
    ['a subject field that does not exist', 'type P @dataSubject(field: "nope") { id: ID! }', 'P.nope', /does not exist/],
    ['@aggregate under a purpose that is not aggregate-only', 'type P { id: ID! } type T { n: Int } extend type Query { t: T @aggregate(purposes: [ANALYTICS, SUPPORT]) }', 'Query.t', /not an aggregate-only/],
    ['@aggregate without purposes', 'type P { id: ID! } type T { n: Int } extend type Query { t: T @aggregate(purposes: []) }', 'Query.t', /no purpose/],
    ['a non-null @aggregate field', 'type P { id: ID! } type T { n: Int } extend type Query { t: T! @aggregate(purposes: [ANALYTICS]) }', 'Query.t', /nullable/],
    ['@aggregate off the Query type', 'type P { id: ID! @notPersonal t: Int @aggregate(purposes: [ANALYTICS]) }', 'P.t', /Query type only/],
    ['@aggregate returning personal data', 'type P { id: ID! @notPersonal email: String @pii(category: CONTACT, purposes: [SUPPORT]) } type T { people: [P!]! } extend type Query { t: T @aggregate(purposes: [ANALYTICS]) }', 'Query.t', /holding personal data/],
    ['@aggregate with @notPersonal', 'type P { id: ID! } type T { n: Int } extend type Query { t: T @aggregate(purposes: [ANALYTICS]) @notPersonal }', 'Query.t', /cannot be combined/],
  ])('refuses %s', (_name, typeSdl, coordinate, message) => {
    const found = problemsOf(typeSdl);
    expect(found).toContainEqual(expect.objectContaining({ coordinate, message: expect.stringMatching(message) }));
  });
});
