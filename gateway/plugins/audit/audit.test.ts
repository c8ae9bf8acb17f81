// What the audit plugin writes for an operation: the log entry (coordinates, subjects and reasons, no value) and
// the provision records, failing closed when a consent-based release names no consent event.
import { describe, expect, it } from 'vitest';
import type { BoundCaller } from '../../../directives/caller.ts';
import type { DisclosureSummary } from '../../../directives/enforce/response.ts';
import { GatewayContext, type PrivacyOutcome } from '../../core/context.ts';
import { accessEntry, provisionsOf, reportedReleases } from './index.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const EMPLOYER = '00000000-0000-4000-8000-0000000000e1';
const AT = new Date('2026-12-03T06:00:00Z');

const employer: BoundCaller = { sub: 'u1', role: 'employer', org: EMPLOYER, purposes: ['EMPLOYER_DISCLOSURE'], purpose: 'EMPLOYER_DISCLOSURE', legalBasis: null };

function outcome(disclosure: Partial<DisclosureSummary> | null, extra: Partial<PrivacyOutcome> = {}): PrivacyOutcome {
  return {
    operationName: 'Op',
    operationType: 'query',
    denied: [],
    rejected: false,
    masked: [],
    disclosure: disclosure && {
      purpose: 'EMPLOYER_DISCLOSURE',
      role: 'employer',
      recipient: EMPLOYER,
      legalBasis: null,
      released: new Map(),
      withheld: new Map(),
      consentEvents: new Map(),
      ...disclosure,
    },
    ...extra,
  };
}

describe('accessEntry', () => {
  const context = new GatewayContext('req-1', employer, false);
  it('is null for an operation that touched no personal field', () => {
    expect(accessEntry(outcome({}), context, { documentHash: 'h', at: AT })).toBeNull();
    expect(accessEntry(outcome(null), context, { documentHash: 'h', at: AT })).toBeNull();
  });

  it('names coordinates, subjects and reasons, and the outcome', () => {
    const entry = accessEntry(
      outcome(
        { released: new Map([['Candidate.fullName', new Set([B, A, null])]]), withheld: new Map([['Candidate.email', new Set(['NO_CONSENT'])]]) },
        { masked: [{ path: ['x'], coordinate: 'Candidate.birthDate', strategy: 'AGE_BAND' }, { path: ['y'], coordinate: 'Candidate.birthDate', strategy: 'AGE_BAND' }] },
      ),
      context,
      { documentHash: 'h', at: AT },
    );
    expect(entry).toMatchObject({
      requestId: 'req-1',
      callerSub: 'u1',
      org: EMPLOYER,
      outcome: 'PARTIAL',
      released: ['Candidate.fullName'],
      subjects: [A, B],
      withheld: { 'Candidate.email': ['NO_CONSENT'] },
      masked: [{ coordinate: 'Candidate.birthDate', strategy: 'AGE_BAND' }],
    });
  });
});

describe('provisionsOf', () => {
  const context = new GatewayContext('req-2', employer, false);
  const released = new Map([
    ['Candidate.fullName', new Set<string | null>([A, B])],
    ['Candidate.email', new Set<string | null>([A])],
  ]);

  it('one provision per subject to the employer, on the consent event that allowed it', () => {
    const provisions = provisionsOf(outcome({ released, consentEvents: new Map([[A, 11], [B, 12]]) }), context, AT, undefined);
    expect(provisions.map((p) => [p.subjectId, [...p.items].sort(), p.basis])).toEqual([
      [A, ['Candidate.email', 'Candidate.fullName'], { kind: 'CONSENT', consentEventId: 11 }],
      [B, ['Candidate.fullName'], { kind: 'CONSENT', consentEventId: 12 }],
    ]);
    expect(provisions.every((p) => p.recipient.kind === 'EMPLOYER' && p.recipient.id === EMPLOYER)).toBe(true);
  });

  it('gives each subject exactly the coordinates released about them, with as many coordinates as a response may hold', () => {
    for (const width of [3, 30, 31, 45]) {
      const coordinates = Array.from({ length: width }, (_, i) => `Candidate.f${String(i).padStart(2, '0')}`);
      // A gets every coordinate, B every other one, C only the last.
      const C = '00000000-0000-4000-8000-00000000000c';
      const wide = new Map(coordinates.map((c, i) => [c, new Set<string | null>([A, ...(i % 2 === 0 ? [B] : []), ...(i === width - 1 ? [C] : []), null])]));
      const provisions = provisionsOf(outcome({ released: wide, consentEvents: new Map([[A, 1], [B, 2], [C, 3]]) }), context, AT, undefined);
      const bySubject = new Map(provisions.map((p) => [p.subjectId, p]));
      expect(bySubject.get(A)!.items).toEqual(coordinates);
      expect(bySubject.get(B)!.items).toEqual(coordinates.filter((_, i) => i % 2 === 0));
      expect(bySubject.get(C)!.items).toEqual([coordinates[width - 1]]);
      expect(bySubject.get(A)!.categories).toEqual(coordinates.map(() => 'UNCLASSIFIED'));
      expect(provisions).toHaveLength(3);
    }
  });

  it('fails closed when a released subject has no consent event', () => {
    expect(() => provisionsOf(outcome({ released, consentEvents: new Map([[A, 11]]) }), context, AT, undefined)).toThrow(
      expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }),
    );
  });

  it('a legal-basis release is a provision on its reference; other purposes provide nothing', () => {
    const compliance: BoundCaller = { ...employer, role: 'compliance', org: null, purpose: 'LEGAL_OBLIGATION', legalBasis: '東京地裁 令和8年(モ)第123号' };
    const legal = provisionsOf(outcome({ released }), new GatewayContext('r', compliance, false), AT, undefined);
    expect(legal.map((p) => p.basis)).toEqual([
      { kind: 'LEGAL_BASIS', reference: '東京地裁 令和8年(モ)第123号' },
      { kind: 'LEGAL_BASIS', reference: '東京地裁 令和8年(モ)第123号' },
    ]);
    const support: BoundCaller = { ...employer, role: 'support', org: null, purpose: 'SUPPORT' };
    expect(provisionsOf(outcome({ released }), new GatewayContext('r', support, false), AT, undefined)).toEqual([]);
  });
});

describe('the statistics a subgraph reports', () => {
  const good = { releaseId: '7', queryKey: 'k', epsilonCharged: 1, epsilon: 1, period: '2026-12', reused: false };

  it('reads well-formed reports, tagged with the subgraph', () => {
    expect(reportedReleases('users', [good])).toEqual([{ subgraph: 'users', ...good }]);
    expect(reportedReleases('users', [])).toEqual([]);
  });

  it('refuses a malformed report as a whole, so the answer is refused rather than released unrecorded', () => {
    for (const bad of [null, {}, 'x', [null], [{ ...good, releaseId: 7 }], [{ ...good, epsilonCharged: Number.NaN }], [{ ...good, reused: 'no' }], [good, { ...good, period: 1 }]]) {
      expect(reportedReleases('users', bad)).toBeNull();
    }
  });
});
