import type { BoundCaller } from '../caller.ts';
import { ALLOW, decideForSubject, type ConsentLoader, type ConsentRecord, type ConsentScope, type Decision, type SubjectCheck } from '../decide.ts';
import { grantingConsent } from '../../ledger/consent.ts';
import { applyMask, maskMember, type MaskContext } from '../masks.ts';
import type { MaskStrategy } from '../purposes.ts';
import { isIncluded, type EnforcementPlan, type SelectionPlan } from './operation.ts';

/** An error the gateway adds at the path of a withheld value. */
export interface PrivacyFieldError {
  message: string;
  path: (string | number)[];
  extensions: { code: 'PII_REDACTED' | 'CONSENT_REQUIRED'; coordinate: string };
}

export interface MaskedValue {
  path: (string | number)[];
  coordinate: string;
  strategy: MaskStrategy;
}

/** Which personal fields were released about whom in one response (handed to auditing). */
export interface DisclosureSummary {
  purpose: BoundCaller['purpose'];
  role: BoundCaller['role'];
  recipient: string | null;
  legalBasis: string | null;
  /** Coordinate → ids of the data subjects whose value was released (null id: no identifiable subject). */
  readonly released: ReadonlyMap<string, ReadonlySet<string | null>>;
  /** Coordinate → reasons it was withheld (for the audit log, never for the client). */
  readonly withheld: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Subject → the consent ledger event its consent-gated values were released on (null: the loader named none), for
   * every subject a consent check let through: the basis of a provision record.
   */
  readonly consentEvents: ReadonlyMap<string, number | null>;
}

/**
 * Shaping appends one (coordinate, subject) pair per released value, which costs a push; the summary's
 * per-coordinate sets are built when first read (auditing), not on every response. `deferred`, when given,
 * records the releases themselves on that first read (see shapeResponse: a response that nothing changes).
 */
class Disclosure implements DisclosureSummary {
  readonly #withheld = new Map<string, Set<string>>();
  readonly #consentEvents = new Map<string, number | null>();
  readonly #coordinates: string[] = [];
  readonly #subjects: (string | null)[] = [];
  #released: Map<string, Set<string | null>> | undefined;
  #deferred: ((into: Disclosure) => void) | undefined;

  constructor(
    readonly purpose: BoundCaller['purpose'],
    readonly role: BoundCaller['role'],
    readonly recipient: string | null,
    readonly legalBasis: string | null,
    deferred?: (into: Disclosure) => void,
  ) {
    this.#deferred = deferred;
  }

  #settle(): void {
    const deferred = this.#deferred;
    if (!deferred) return;
    this.#deferred = undefined;
    deferred(this);
  }

  release(coordinate: string, subject: string | null): void {
    this.#coordinates.push(coordinate);
    this.#subjects.push(subject);
    this.#released = undefined;
  }

  withhold(coordinate: string, reason: string): void {
    let set = this.#withheld.get(coordinate);
    if (!set) this.#withheld.set(coordinate, (set = new Set()));
    set.add(reason);
  }

  consented(subject: string, eventId: number | null): void {
    if (!this.#consentEvents.has(subject)) this.#consentEvents.set(subject, eventId);
  }

  // A deferred summary belongs to a pass-through plan, which withholds nothing and checks no consent: these two
  // are empty whether or not the releases have been read off the result (logs and metrics read them on every
  // response; only the access log needs the releases).
  get consentEvents(): ReadonlyMap<string, number | null> {
    return this.#consentEvents;
  }

  get withheld(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#withheld;
  }

  get released(): ReadonlyMap<string, ReadonlySet<string | null>> {
    this.#settle();
    if (this.#released) return this.#released;
    const released = new Map<string, Set<string | null>>();
    for (let i = 0; i < this.#coordinates.length; i++) {
      const coordinate = this.#coordinates[i]!;
      let set = released.get(coordinate);
      if (!set) released.set(coordinate, (set = new Set()));
      set.add(this.#subjects[i]!);
    }
    return (this.#released = released);
  }
}

export interface ShapeOptions {
  caller: BoundCaller;
  variables: Record<string, unknown> | undefined;
  now: Date;
  mask: MaskContext;
  /** Loads the current consent rows of these subjects in one query. */
  loadConsents: ConsentLoader;
  /** Consent asked for while the operation executed; used when it covers every subject the response holds. */
  prefetched?: ConsentPrefetch;
}

type Consents = ReadonlyMap<string, readonly ConsentRecord[]>;

/** The scope of an operation's consent lookup: the recipient its checks ask about (see ConsentNeeds), at `now`. */
export function consentScope(plan: EnforcementPlan, caller: BoundCaller, now: Date): ConsentScope | undefined {
  if (!plan.consent || plan.consent.perRecipient === null) return undefined;
  return { purposes: plan.consent.purposes, recipient: plan.consent.perRecipient ? caller.org : null, now };
}

/**
 * Consent asked for while an operation executes. When the gateway sends an entity fetch, its representations name
 * the data subjects the response will hold (ConsentNeeds.subjectFields); their consent is asked for at once, in
 * parallel with the fetch, instead of after the whole result is in. shapeResponse uses the answers only if they
 * cover every subject it finds in the result, and otherwise asks again for all of them. Answers reflect the
 * consent ledger at the moment they were asked, during the request, like any lookup; a failed one denies.
 */
export class ConsentPrefetch {
  readonly #asked = new Set<string>();
  readonly #answers: Promise<Consents | 'unknown'>[] = [];

  constructor(
    private readonly fields: ReadonlyMap<string, string>,
    private readonly scope: ConsentScope | undefined,
    private readonly load: ConsentLoader,
  ) {}

  /**
   * For a query whose plan needs consent, else undefined. A mutation's consent is asked for after it has run
   * whole: one of its fields may change consent that an earlier field's values depend on.
   */
  static forPlan(plan: EnforcementPlan, caller: BoundCaller, now: Date, load: ConsentLoader): ConsentPrefetch | undefined {
    if (plan.operation.operation !== 'query' || !plan.consent || plan.consent.subjectFields.size === 0) return undefined;
    return new ConsentPrefetch(plan.consent.subjectFields, consentScope(plan, caller, now), load);
  }

  /** Asks for the consent of the subjects an entity fetch's representations name (anything else is ignored). */
  entities(representations: unknown): void {
    if (!Array.isArray(representations)) return;
    const ids: string[] = [];
    for (const representation of representations) {
      if (representation === null || typeof representation !== 'object') continue;
      const typeName = (representation as Record<string, unknown>).__typename;
      const field = typeof typeName === 'string' ? this.fields.get(typeName) : undefined;
      const id = field ? (representation as Record<string, unknown>)[field] : undefined;
      if (typeof id !== 'string' || this.#asked.has(id)) continue;
      this.#asked.add(id);
      ids.push(id);
    }
    if (ids.length === 0) return;
    // Caught at once: a response that never gets shaped (an executor error) leaves no unhandled rejection.
    this.#answers.push(this.load(ids, this.scope).catch(() => 'unknown' as const));
  }

  /** The consent of `subjects` if every one was asked for (merged answers, or 'unknown' if a lookup failed); else undefined. */
  async covering(subjects: ReadonlySet<string>): Promise<Consents | 'unknown' | undefined> {
    if (this.#answers.length === 0) return undefined;
    for (const subject of subjects) if (!this.#asked.has(subject)) return undefined;
    const answers = await Promise.all(this.#answers);
    if (answers.includes('unknown')) return 'unknown';
    if (answers.length === 1) return answers[0] as Consents;
    const merged = new Map<string, readonly ConsentRecord[]>();
    for (const answer of answers as Consents[]) for (const [subject, records] of answer) merged.set(subject, records);
    return merged;
  }
}

export interface ShapedResponse {
  data: Record<string, unknown> | null;
  errors: PrivacyFieldError[];
  masked: MaskedValue[];
  disclosure: DisclosureSummary;
}

const MESSAGES = {
  PII_REDACTED: 'This field is withheld under the declared purpose.',
  CONSENT_REQUIRED: 'The data subject has not consented to this use.',
} as const;

const NO_CONSENTS: Consents = new Map();
const NO_RECORDS: readonly ConsentRecord[] = [];

const fieldNameCache = new WeakMap<SelectionPlan, Map<string, string | null>>();

/** Response key → the one field it selects in a plan (null when types disagree); computed once per cached plan. */
function fieldNamesByKey(plan: SelectionPlan): Map<string, string | null> {
  let names = fieldNameCache.get(plan);
  if (names) return names;
  const fields = new Map<string, Set<string>>();
  for (const entries of plan.byType.values()) {
    for (const e of entries) {
      const set = fields.get(e.key) ?? new Set<string>();
      set.add(e.coordinate.slice(e.coordinate.indexOf('.') + 1));
      fields.set(e.key, set);
    }
  }
  names = new Map([...fields].map(([key, set]) => [key, set.size === 1 ? [...set][0]! : null]));
  fieldNameCache.set(plan, names);
  return names;
}

/** An object's data subject: its own id where its type names one (null if missing), else its parent's. */
function subjectOf(object: Record<string, unknown>, plan: SelectionPlan, typeName: string, inherited: string | null): string | null {
  const subjectKey = plan.subjectKeys.get(typeName);
  if (!subjectKey) return inherited;
  const id = object[subjectKey];
  return typeof id === 'string' ? id : null;
}

/**
 * The data subjects whose consent the response's values depend on: the subject of every object with a
 * consent-gated field, found by walking only the selections that hold such objects.
 */
function collectSubjects(value: unknown, plan: SelectionPlan, inherited: string | null, into: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectSubjects(item, plan, inherited, into);
    return;
  }
  const object = value as Record<string, unknown>;
  const typeName = plan.staticType ?? (plan.typenameKey ? object[plan.typenameKey] : undefined);
  const walk = typeof typeName === 'string' ? plan.consentWalks.get(typeName) : undefined;
  if (!walk) return;
  const subject = subjectOf(object, plan, typeName as string, inherited);
  if (walk.here && subject !== null) into.add(subject);
  for (const entry of walk.below) collectSubjects(object[entry.key], entry.child!, subject, into);
}

/**
 * Shapes a subgraph-assembled result: restores withheld fields as null with an error at each path, applies
 * per-subject checks and masks, drops hidden selections, and records the disclosure summary. The consent of every
 * subject involved is loaded first, in one batched lookup, so that each value is decided where it stands, in one
 * pass: nothing below a withheld value is visited (no error, no mask, no disclosure), and below a masked value
 * only the mask counts as a disclosure.
 */
export async function shapeResponse(
  plan: EnforcementPlan,
  data: Record<string, unknown> | null | undefined,
  options: ShapeOptions,
): Promise<ShapedResponse> {
  const { caller, now } = options;
  if (plan.passThrough) {
    // Nothing in the plan withholds, masks or checks a value, and the rewrite added nothing: the executor's result
    // is the response as it is. The disclosure summary is read off it (unchanged) when first asked for.
    const deferred = data ? (into: Disclosure) => void shapePass(plan, data, options, NO_CONSENTS, into) : undefined;
    return { data: data ?? null, errors: [], masked: [], disclosure: new Disclosure(caller.purpose, caller.role, caller.org, caller.legalBasis, deferred) };
  }
  let consents: Consents | 'unknown' = NO_CONSENTS;
  if (plan.consent && data) {
    const subjects = new Set<string>();
    collectSubjects(data, plan.root, null, subjects);
    if (subjects.size > 0) {
      const prefetched = options.prefetched ? await options.prefetched.covering(subjects) : undefined;
      if (prefetched !== undefined) consents = prefetched;
      else {
        // The recipient decideForSubject checks: the caller's employer for per-employer consent, else none. Checks
        // that disagree cannot share one scope: then every row of the subjects is loaded and decided here.
        try {
          consents = await options.loadConsents([...subjects], consentScope(plan, caller, now));
        } catch {
          consents = 'unknown'; // a failed lookup denies every consent-gated value
        }
      }
    }
  }
  const disclosure = new Disclosure(caller.purpose, caller.role, caller.org, caller.legalBasis);
  return { ...shapePass(plan, data, options, consents, disclosure), disclosure };
}

/** The shaping pass itself, synchronous, once the consent of the response's subjects is known. */
function shapePass(
  plan: EnforcementPlan,
  data: Record<string, unknown> | null | undefined,
  options: ShapeOptions,
  consents: ReadonlyMap<string, readonly ConsentRecord[]> | 'unknown',
  disclosure: Disclosure,
): Omit<ShapedResponse, 'disclosure'> {
  const { caller, now } = options;
  const decideCheck = (check: SubjectCheck, subject: string | null): Decision =>
    decideForSubject(check, caller, subject, consents === 'unknown' ? 'unknown' : (consents.get(subject ?? '') ?? NO_RECORDS), now);

  const errors: PrivacyFieldError[] = [];
  const masked: MaskedValue[] = [];
  // The path of the value being shaped: the pass is synchronous, so one stack serves it, and only reported
  // paths (errors, masks) are copied out of it.
  const path: (string | number)[] = [];
  const pathTo = (key: string) => {
    const n = path.length;
    const out = new Array<string | number>(n + 1);
    for (let i = 0; i < n; i++) out[i] = path[i]!;
    out[n] = key;
    return out;
  };
  const withhold = (coordinate: string, key: string, decision: Extract<Decision, { kind: 'deny' }>) => {
    disclosure.withhold(coordinate, decision.reason);
    errors.push({ message: MESSAGES[decision.code], path: pathTo(key), extensions: { code: decision.code, coordinate } });
  };

  // A masked object (PREFECTURE_ONLY) is masked key by key under each key's real field name, so an alias
  // (`address { prefecture: street }`) cannot pass another field off as the one the mask keeps.
  const maskValue = (strategy: MaskStrategy, value: unknown, child: SelectionPlan | null): unknown => {
    if (!child || value === null || typeof value !== 'object') return applyMask(strategy, value, options.mask);
    if (Array.isArray(value)) return value.map((item) => maskValue(strategy, item, child));
    const out: Record<string, unknown> = {};
    const fieldNames = fieldNamesByKey(child);
    for (const key of Object.keys(value)) {
      const field = fieldNames.get(key);
      out[key] = field ? maskMember(strategy, field, (value as Record<string, unknown>)[key], options.mask) : null;
    }
    return out;
  };

  // The executor's result belongs to this request alone: where a plan allows, it is shaped in place, not copied.
  // `silent`: an ancestor is masked, so what is released below it is not recorded again (the mask is).
  const inPlace = plan.inPlace;
  const shapeValue = (value: unknown, plan: SelectionPlan, subject: string | null, silent: boolean): unknown => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) {
      const out = inPlace && plan.inPlace ? value : new Array<unknown>(value.length);
      const depth = path.push(0) - 1;
      for (let i = 0; i < value.length; i++) {
        path[depth] = i;
        out[i] = shapeValue(value[i], plan, subject, silent);
      }
      path.pop();
      return out;
    }
    if (typeof value !== 'object') return null;
    return shapeObject(value as Record<string, unknown>, plan, subject, silent);
  };

  const shapeObject = (value: Record<string, unknown>, plan: SelectionPlan, inherited: string | null, silent: boolean) => {
    const typeName = plan.staticType ?? (plan.typenameKey ? value[plan.typenameKey] : undefined);
    const entries = typeof typeName === 'string' ? plan.byType.get(typeName) : undefined;
    // An object whose type cannot be told apart is withheld whole (fail closed).
    if (!entries) return null;
    const subject = subjectOf(value, plan, typeName as string, inherited);
    const out: Record<string, unknown> = inPlace && plan.inPlace ? value : {};
    // The fields of one object share its subject and, mostly, one check: decide it once per object.
    let lastCheck: SubjectCheck | null = null;
    let lastDecision: Decision = ALLOW;
    for (const entry of entries) {
      const decision = entry.decision;
      if (decision.kind === 'deny') {
        if (isIncluded(entry.occurrences, options.variables)) {
          out[entry.key] = null;
          withhold(entry.coordinate, entry.key, decision);
        }
        continue;
      }
      const raw = value[entry.key];
      // An executor's result holds no undefined and no functions: either means the key is absent (skipped by
      // @skip/@include) or inherited (an alias named `constructor`), which only an own-key check tells apart.
      if ((raw === undefined || typeof raw === 'function') && !Object.hasOwn(value, entry.key)) continue;
      if (entry.check) {
        if (entry.check !== lastCheck) {
          lastCheck = entry.check;
          lastDecision = decideCheck(entry.check, subject);
          const consent = entry.check.consent;
          if (consent && lastDecision.kind === 'allow' && subject !== null && consents !== 'unknown') {
            const records = consents.get(subject) ?? NO_RECORDS;
            disclosure.consented(subject, grantingConsent(records, consent.purpose, consent.perRecipient ? caller.org : null, now)?.eventId ?? null);
          }
        }
        if (lastDecision.kind === 'deny') {
          out[entry.key] = null;
          withhold(entry.coordinate, entry.key, lastDecision);
          continue;
        }
      }
      let shaped = raw;
      if (entry.child) {
        path.push(entry.key);
        shaped = shapeValue(shaped, entry.child, subject, silent || decision.kind === 'mask');
        path.pop();
      }
      if (decision.kind === 'mask' && shaped !== null && shaped !== undefined) {
        // Children first: the mask sees the final values.
        masked.push({ path: pathTo(entry.key), coordinate: entry.coordinate, strategy: decision.strategy });
        shaped = maskValue(decision.strategy, shaped, entry.child);
      }
      if (shaped !== raw || out !== value) out[entry.key] = shaped;
      if (entry.personal && !silent && shaped !== null) disclosure.release(entry.coordinate, subject);
    }
    return out;
  };

  return {
    data: data ? (shapeObject(data, plan.root, null, false) as Record<string, unknown> | null) : null,
    errors,
    masked,
  };
}
