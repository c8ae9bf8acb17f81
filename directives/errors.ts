/** Stable error codes of the privacy layer; they become `extensions.code` at the GraphQL edge. */
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
  BAD_USER_INPUT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
} as const;

export type PrivacyErrorCode = keyof typeof PRIVACY_ERROR_STATUS;

/**
 * One error family for the privacy layer: a stable code, a message safe to show a client
 * (never personal data, never which purpose would have opened a field) and structured details.
 */
export class PrivacyError extends Error {
  readonly code: PrivacyErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: PrivacyErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'PrivacyError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return PRIVACY_ERROR_STATUS[this.code];
  }
}

export function isPrivacyError(error: unknown): error is PrivacyError {
  return error instanceof PrivacyError;
}
