import type { BoundCaller } from '../../directives/caller.ts';
import type { DisclosureSummary, MaskedValue } from '../../directives/enforce/response.ts';
import { ServiceError } from '../../directives/errors.ts';

/**
 * What enforcement decided and released for one operation, published once on the request for the plugins that
 * come after it (audit, provision records, budgets). It names coordinates and subject ids, never values.
 */
export interface PrivacyOutcome {
  readonly operationName: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription';
  /** Coordinates removed from the operation before it was planned (the caller's purpose or role does not allow them). */
  readonly denied: readonly string[];
  /** Whether the operation was refused whole (strict mode) instead of answered. */
  readonly rejected: boolean;
  /** Which personal fields were released about whom, and what was withheld. Empty when rejected. */
  readonly disclosure: DisclosureSummary | null;
  /** Values released masked: where, under which coordinate, with which strategy (never the value). */
  readonly masked: readonly MaskedValue[];
}

const CONSENT_REASONS: ReadonlySet<string> = new Set(['NO_CONSENT', 'CONSENT_UNKNOWN', 'RESTRICTED']);

/** What one outcome withheld and masked, by coordinate (for logs and metrics: coordinates and counts, never a subject). */
export function outcomeCoordinates(outcome: PrivacyOutcome): { redacted: string[]; consentDenied: string[]; masked: string[] } {
  const redacted = [...outcome.denied];
  const consentDenied: string[] = [];
  for (const [coordinate, reasons] of outcome.disclosure?.withheld ?? []) {
    if ([...reasons].some((reason) => CONSENT_REASONS.has(reason))) consentDenied.push(coordinate);
    if ([...reasons].some((reason) => !CONSENT_REASONS.has(reason))) redacted.push(coordinate);
  }
  return { redacted, consentDenied, masked: outcome.masked.map((m) => m.coordinate) };
}

const PRIVACY = Symbol('privacy');

/**
 * The per-request value every plugin sees: who asks and why, and (once enforcement has run) what was released.
 * Apollo Server copies the context's own properties for each operation, so the outcome is an own property under a
 * module-private symbol (a `#private` field would not survive the copy).
 */
export class GatewayContext {
  private [PRIVACY]: PrivacyOutcome | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly caller: BoundCaller,
    readonly strict: boolean,
  ) {}

  /** Set once, by the enforcement plugin; undefined before it ran or when enforcement is off. */
  get privacy(): PrivacyOutcome | undefined {
    return this[PRIVACY];
  }

  /** Publishes what enforcement decided; a second publication is a programming error. */
  publishPrivacy(outcome: PrivacyOutcome): void {
    if (this[PRIVACY] !== undefined) throw new ServiceError('INTERNAL_SERVER_ERROR', 'The privacy outcome of a request was published twice.');
    this[PRIVACY] = outcome;
  }
}
