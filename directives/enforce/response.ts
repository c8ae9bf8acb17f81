import type { BoundCaller } from '../caller.ts';
import { decideForSubject, type ConsentLoader, type ConsentRecord, type Decision, type SubjectCheck } from '../decide.ts';
import { applyMask, type MaskContext } from '../masks.ts';
import type { MaskStrategy } from '../purposes.ts';
import { isIncluded, type EnforcementPlan, type SelectionPlan } from './operation.ts';

/** ResponsePath.marks: the value at this path was withheld, or masked. */
const WITHHELD = 1;
const MASKED = 2;

/**
 * A response path as a linked list: shaping allocates one small node per value instead of copying an array,
 * and only reported paths (errors, masks) are turned into arrays. Each position of the response has exactly
 * one node, so "below a withheld or masked value" is a walk up the parents looking at their marks.
 */
class ResponsePath {
  marks = 0;

  constructor(
    readonly parent: ResponsePath | null,
    readonly key: string | number,
  ) {}

  toArray(): (string | number)[] {
    const out: (string | number)[] = [];
    for (let node: ResponsePath | null = this; node; node = node.parent) out.push(node.key);
    return out.reverse();
  }

  /** Whether a strict ancestor carries one of `marks`. */
  isBelow(marks: number): boolean {
    for (let node = this.parent; node; node = node.parent) if (node.marks & marks) return true;
    return false;
  }
}

/** The root of the response is the empty path. */
type Path = ResponsePath | null;

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
  released: Map<string, Set<string | null>>;
  /** Coordinate → reasons it was withheld (for the audit log, never for the client). */
  withheld: Map<string, Set<string>>;
}

export interface ShapeOptions {
  caller: BoundCaller;
  variables: Record<string, unknown> | undefined;
  now: Date;
  mask: MaskContext;
  /** Loads the current consent rows of these subjects in one query. */
  loadConsents: ConsentLoader;
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

/**
 * What a released value below a given point counts for in the disclosure summary: FINAL, recorded at once (no
 * ancestor can still be withheld or is masked); DEFERRED, an ancestor awaits its per-subject check, so it is
 * recorded once that is decided; SILENT, an ancestor is masked (or will be withheld), so only the mask counts.
 */
const FINAL = 0;
const DEFERRED = 1;
const SILENT = 2;
type ReleaseMode = typeof FINAL | typeof DEFERRED | typeof SILENT;

interface Pending {
  target: Record<string, unknown>;
  key: string;
  check: SubjectCheck;
  subjectId: string | null;
  path: ResponsePath;
  coordinate: string;
  maskedIndex: number;
  mode: ReleaseMode;
}

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

/**
 * Shapes a subgraph-assembled result in one pass: restores withheld fields as null with an error at each path,
 * masks, drops hidden selections, then applies per-subject checks with one batched consent lookup.
 */
export async function shapeResponse(
  plan: EnforcementPlan,
  data: Record<string, unknown> | null | undefined,
  options: ShapeOptions,
): Promise<ShapedResponse> {
  const errors: PrivacyFieldError[] = [];
  const masked: (MaskedValue | null)[] = [];
  // The path of errors[i] and masked[i], for the "below a withheld or masked value" checks at the end.
  const errorPaths: ResponsePath[] = [];
  const maskedPaths: ResponsePath[] = [];
  const pending: Pending[] = [];
  const maskQueue: { target: Record<string, unknown>; key: string; strategy: MaskStrategy; child: SelectionPlan | null }[] = [];
  const disclosure: DisclosureSummary = {
    purpose: options.caller.purpose,
    role: options.caller.role,
    recipient: options.caller.org,
    legalBasis: options.caller.legalBasis,
    released: new Map(),
    withheld: new Map(),
  };
  const released = (coordinate: string, subjectId: string | null) => {
    let set = disclosure.released.get(coordinate);
    if (!set) disclosure.released.set(coordinate, (set = new Set()));
    set.add(subjectId);
  };
  // Releases that wait for an ancestor's per-subject check (DEFERRED); FINAL ones are recorded at once.
  const deferred: { coordinate: string; subjectId: string | null; path: ResponsePath }[] = [];
  const release = (coordinate: string, subjectId: string | null, path: ResponsePath | null, mode: ReleaseMode) => {
    if (mode === FINAL) released(coordinate, subjectId);
    else if (mode === DEFERRED) deferred.push({ coordinate, subjectId, path: path! });
  };
  const withhold = (coordinate: string, decision: Extract<Decision, { kind: 'deny' }>, path: ResponsePath) => {
    let set = disclosure.withheld.get(coordinate);
    if (!set) disclosure.withheld.set(coordinate, (set = new Set()));
    set.add(decision.reason);
    errors.push({ message: MESSAGES[decision.code], path: path.toArray(), extensions: { code: decision.code, coordinate } });
    errorPaths.push(path);
    path.marks |= WITHHELD;
  };

  // The executor's result belongs to this request alone: where a plan allows, it is shaped in place, not copied.
  const inPlace = plan.inPlace;
  const shapeValue = (value: unknown, plan: SelectionPlan, path: ResponsePath, subject: string | null, mode: ReleaseMode): unknown => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) {
      if (!(inPlace && plan.inPlace)) return value.map((item, i) => shapeValue(item, plan, new ResponsePath(path, i), subject, mode));
      for (let i = 0; i < value.length; i++) value[i] = shapeValue(value[i], plan, new ResponsePath(path, i), subject, mode);
      return value;
    }
    if (typeof value !== 'object') return null;
    return shapeObject(value as Record<string, unknown>, plan, path, subject, mode);
  };

  const shapeObject = (value: Record<string, unknown>, plan: SelectionPlan, path: Path, inherited: string | null, mode: ReleaseMode) => {
    const typeName = plan.staticType ?? (plan.typenameKey ? value[plan.typenameKey] : undefined);
    const entries = typeof typeName === 'string' ? plan.byType.get(typeName) : undefined;
    // An object whose type cannot be told apart is withheld whole (fail closed).
    if (!entries) return null;
    const subjectKey = plan.subjectKeys.get(typeName as string);
    const subjectValue = subjectKey ? value[subjectKey] : undefined;
    const subject = subjectKey ? (typeof subjectValue === 'string' ? subjectValue : null) : inherited;
    const out: Record<string, unknown> = inPlace && plan.inPlace ? value : {};
    for (const entry of entries) {
      const { decision } = entry;
      if (decision.kind === 'deny') {
        if (isIncluded(entry.occurrences, options.variables)) {
          out[entry.key] = null;
          withhold(entry.coordinate, decision, new ResponsePath(path, entry.key));
        }
        continue;
      }
      if (!Object.hasOwn(value, entry.key)) continue; // skipped by @skip/@include
      // A path node only where something may be reported at or below this value.
      const fieldPath =
        entry.child !== null || decision.kind === 'mask' || entry.check !== null || mode === DEFERRED ? new ResponsePath(path, entry.key) : null;
      let shaped = value[entry.key];
      if (entry.child) {
        const childMode = mode === SILENT || decision.kind === 'mask' ? SILENT : mode === DEFERRED || entry.check ? DEFERRED : FINAL;
        shaped = shapeValue(shaped, entry.child, fieldPath!, subject, childMode);
      }
      let maskedIndex = -1;
      if (decision.kind === 'mask' && shaped !== null && shaped !== undefined) {
        // Masks run after the consent checks, children first, so they see the final values.
        maskedIndex = masked.push({ path: fieldPath!.toArray(), coordinate: entry.coordinate, strategy: decision.strategy }) - 1;
        maskedPaths.push(fieldPath!);
        fieldPath!.marks |= MASKED;
        maskQueue.push({ target: out, key: entry.key, strategy: decision.strategy, child: entry.child });
      }
      out[entry.key] = shaped;
      if (entry.check) {
        pending.push({ target: out, key: entry.key, check: entry.check, subjectId: subject, path: fieldPath!, coordinate: entry.coordinate, maskedIndex, mode });
      } else if (entry.personal && shaped !== null) {
        release(entry.coordinate, subject, fieldPath, mode);
      }
    }
    return out;
  };

  const shaped = data ? (shapeObject(data, plan.root, null, null, FINAL) as Record<string, unknown> | null) : null;

  if (pending.length > 0) {
    const subjects = new Set<string>();
    const purposes = new Set<string>();
    // The recipient decideForSubject will check against: the caller's employer for per-employer consent, else none.
    const recipients = new Set<string | null>();
    for (const p of pending) {
      if (!p.check.consent || !p.subjectId) continue;
      subjects.add(p.subjectId);
      purposes.add(p.check.consent.purpose);
      recipients.add(p.check.consent.perRecipient ? options.caller.org : null);
    }
    // Checks that disagree on the recipient cannot share one scope: then every row is loaded and decided here.
    const scope = recipients.size === 1 ? { purposes: [...purposes], recipient: [...recipients][0]!, now: options.now } : undefined;
    let consents: Map<string, ConsentRecord[]> | 'unknown' = new Map();
    if (subjects.size > 0) {
      try {
        consents = await options.loadConsents([...subjects], scope);
      } catch {
        consents = 'unknown'; // a failed lookup denies every consent-gated value
      }
    }
    // A page repeats the same few checks (plan objects, cached with the plan) for each subject: decide each once.
    const decisions = new Map<SubjectCheck, Map<string | null, Decision>>();
    for (const p of pending) {
      let bySubject = decisions.get(p.check);
      if (!bySubject) decisions.set(p.check, (bySubject = new Map()));
      let decision = bySubject.get(p.subjectId);
      if (!decision) {
        const records = consents === 'unknown' ? 'unknown' : (consents.get(p.subjectId ?? '') ?? []);
        decision = decideForSubject(p.check, options.caller, p.subjectId, records, options.now);
        bySubject.set(p.subjectId, decision);
      }
      if (decision.kind === 'deny') {
        p.target[p.key] = null;
        if (p.maskedIndex >= 0) {
          masked[p.maskedIndex] = null;
          p.path.marks &= ~MASKED;
        }
        withhold(p.coordinate, decision, p.path);
      } else if (p.target[p.key] !== null) {
        release(p.coordinate, p.subjectId, p.path, p.mode);
      }
    }
  }

  // A masked object (PREFECTURE_ONLY) is masked key by key under each key's real field name, so an alias
  // (`address { prefecture: street }`) cannot pass another field off as the one the mask keeps.
  const maskValue = (strategy: MaskStrategy, value: unknown, child: SelectionPlan | null): unknown => {
    if (!child || value === null || typeof value !== 'object') return applyMask(strategy, value, options.mask);
    if (Array.isArray(value)) return value.map((item) => maskValue(strategy, item, child));
    const out: Record<string, unknown> = {};
    const fieldNames = fieldNamesByKey(child);
    for (const [key, item] of Object.entries(value)) {
      const field = fieldNames.get(key) ?? null;
      const result = field === null ? null : applyMask(strategy, { [field]: item }, options.mask);
      out[key] = field !== null && result !== null && typeof result === 'object' ? ((result as Record<string, unknown>)[field] ?? null) : null;
    }
    return out;
  };
  for (const m of maskQueue) {
    if (m.target[m.key] !== null) m.target[m.key] = maskValue(m.strategy, m.target[m.key], m.child);
  }

  // Nothing below a withheld value counts: no error, no mask, no disclosure. Below a masked value only the mask counts.
  for (const r of deferred) {
    if (!r.path.isBelow(WITHHELD | MASKED)) released(r.coordinate, r.subjectId);
  }
  return {
    data: shaped,
    errors: errors.filter((_, i) => !errorPaths[i]!.isBelow(WITHHELD)),
    masked: masked.filter((m, i): m is MaskedValue => m !== null && !maskedPaths[i]!.isBelow(WITHHELD)),
    disclosure,
  };
}
