import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';

/**
 * The errors of this project form two families, each with stable codes that become `extensions.code` at the
 * GraphQL edge (the gateway's and the subgraphs' `formatError`, their HTTP layers) and nowhere earlier:
 * - `PrivacyError`: an outcome of the privacy layer (who may see what, under which purpose and consent);
 * - `ServiceError`: everything else a client or operator must be told (bad input, not found, not allowed,
 *   an internal failure, a dependency that is unavailable).
 * Messages are safe to show a client: never personal data, never a submitted or stored value, never which
 * purpose or consent would have opened a field.
 */
export const PRIVACY_ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  PURPOSE_REQUIRED: 403,
  PURPOSE_NOT_PERMITTED: 403,
  LEGAL_BASIS_REQUIRED: 403,
  OPERATION_REJECTED: 403,
  PII_REDACTED: 200,
  CONSENT_REQUIRED: 200,
  PRIVACY_BUDGET_EXHAUSTED: 429,
  QUERY_TOO_COMPLEX: 400,
  /** The access log or a provision record could not be written: nothing personal is released (fail closed). */
  AUDIT_UNAVAILABLE: 503,
} as const;

export const SERVICE_ERROR_STATUS = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  /** Too many requests from one caller or address; `details.retryAfterSeconds` becomes the `Retry-After` header. */
  RATE_LIMITED: 429,
} as const;

export type PrivacyErrorCode = keyof typeof PRIVACY_ERROR_STATUS;
export type ServiceErrorCode = keyof typeof SERVICE_ERROR_STATUS;

/** Codes whose message and details reach a client as they are; any other error becomes "Internal server error.". */
export const CLIENT_SAFE_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(PRIVACY_ERROR_STATUS),
  // SERVICE_UNAVAILABLE messages are the project's own (what is unavailable, never why in detail).
  ...Object.keys(SERVICE_ERROR_STATUS).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
  // Apollo Server's and graphql-js's own request errors.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

abstract class CodedError<Code extends string> extends Error {
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  abstract get httpStatus(): number;

  /**
   * What `extensions` a GraphQL error built from this one carries (graphql-js copies an original error's
   * `extensions` when a resolver throws it): the code and the client-safe details.
   */
  get extensions(): Record<string, unknown> {
    return { code: this.code, ...this.details };
  }
}

/** An outcome of the privacy layer: a stable code, a client-safe message and structured details. */
export class PrivacyError extends CodedError<PrivacyErrorCode> {
  override name = 'PrivacyError';

  get httpStatus(): number {
    return PRIVACY_ERROR_STATUS[this.code];
  }
}

/** A failure that is not a privacy decision: bad input, not found, forbidden, internal, unavailable. */
export class ServiceError extends CodedError<ServiceErrorCode> {
  override name = 'ServiceError';

  get httpStatus(): number {
    return SERVICE_ERROR_STATUS[this.code];
  }
}

export type ProjectError = PrivacyError | ServiceError;

export function isPrivacyError(error: unknown): error is PrivacyError {
  return error instanceof PrivacyError;
}

export function isProjectError(error: unknown): error is ProjectError {
  return error instanceof PrivacyError || error instanceof ServiceError;
}

/**
 * The edge: a project error as the GraphQL error a client sees (code, details, HTTP status). Errors a client may
 * not see in detail (internal, unavailable) keep only their code and a generic message.
 */
export function toGraphQLError(error: ProjectError, options: { path?: readonly (string | number)[] } = {}): GraphQLError {
  const safe = CLIENT_SAFE_CODES.has(error.code);
  const retryAfter = error.details.retryAfterSeconds;
  const headers = typeof retryAfter === 'number' ? { headers: new Map([['retry-after', String(retryAfter)]]) } : {};
  // Apollo Server reads `http` (status, and headers as a Map). Other packages in the tree (the benchmark's peers)
  // declare a different `http` shape on the same extensions type, so the value is given as Apollo reads it.
  const http = { status: error.httpStatus, ...headers } as unknown as NonNullable<GraphQLErrorExtensions['http']>;
  return new GraphQLError(safe ? error.message : genericMessage(error.code), {
    ...(options.path ? { path: options.path } : {}),
    extensions: { code: error.code, ...(safe ? error.details : {}), http },
  });
}

function genericMessage(code: string): string {
  return code === 'SERVICE_UNAVAILABLE' ? 'Service unavailable.' : 'Internal server error.';
}

const TYPE = String.raw`[\w!\[\]]+`;
const SCALAR = /\b(Int|Float|String|Boolean|ID) cannot represent\b/;

/** What a rejected value should have been, from graphql-js's reason; built from schema names only. */
function expectation(reason: string): string {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`Expected type "(${TYPE})" to be an object\.`).exec(reason))) return `expected an input object of type "${m[1]}"`;
  if ((m = new RegExp(String.raw`Expected non-nullable type "(${TYPE})" not to be null\.`).exec(reason))) return `type "${m[1]}" must not be null`;
  if ((m = /Field "(\w{1,100})" is not defined by type "(\w+)"/.exec(reason))) return `field "${m[1]}" is not defined by input type "${m[2]}"`;
  if ((m = /does not exist in "(\w+)" enum/.exec(reason)) || (m = /Enum "(\w+)" cannot represent/.exec(reason))) return `not a value of enum "${m[1]}"`;
  if ((m = SCALAR.exec(reason))) return `expected a value of type ${m[1]}`;
  if ((m = new RegExp(String.raw`Expected type "(${TYPE})"`).exec(reason))) return `expected type "${m[1]}"`;
  return 'the value does not fit the variable\'s type';
}

/**
 * A request error's message without any value the client sent. graphql-js repeats submitted values in coercion,
 * literal, enum and syntax errors (`got invalid value "lan.nguyen@…"`); those messages are rebuilt from the
 * names they carry (variable, argument path, type, enum), never from the value. Other messages pass unchanged.
 * @example withoutSubmittedValues('Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"')
 * // → 'Variable "$n" got an invalid value: expected a value of type Int.'
 */
export function withoutSubmittedValues(message: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^Variable "\$(\w+)" got invalid value /.exec(message))) {
    const paths = [...message.matchAll(/ at "([\w.[\]]{1,200})"; /g)];
    const at = paths.length > 0 ? ` at "${paths[paths.length - 1]![1]}"` : '';
    return `Variable "$${m[1]}" got an invalid value${at}: ${expectation(message.slice(m[0].length))}.`;
  }
  if ((m = /^Variable "\$(\w+)" of (?:required|non-null) type "([\w!\[\]]+)" (was not provided|must not be null)\.$/.exec(message))) return message;
  if ((m = /^Value .* does not exist in "(\w+)" enum\./s.exec(message))) return `The value given does not exist in enum "${m[1]}".`;
  if ((m = /^Enum "(\w+)" cannot represent non-enum value: /.exec(message))) return `Enum "${m[1]}" cannot represent the value given.`;
  if ((m = /^(Int|Float|String|Boolean|ID) cannot represent /.exec(message))) return `${m[1]} cannot represent the value given.`;
  if ((m = new RegExp(String.raw`^Expected value of type "(${TYPE})", found `).exec(message))) return `Expected value of type "${m[1]}".`;
  if ((m = /^Argument "(\w+)" has invalid value /.exec(message))) return `Argument "${m[1]}" has an invalid value.`;
  if (message.startsWith('Syntax Error:')) {
    return message
      .replace(/\b(?:Block)?String ".*"(?=\.?$)/s, 'a string')
      .replace(/\b(?:Int|Float) "[^"]*"(?=\.?$)/, 'a number');
  }
  return message;
}
