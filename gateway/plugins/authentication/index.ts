import { isProjectError, PrivacyError } from '../../../directives/errors.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { failureCause, type Logger } from '../../logger.ts';
import { createAuthenticator, type AuthOptions } from './auth.ts';

export { createAuthenticator, type AuthOptions } from './auth.ts';

/**
 * Verifies the bearer token of every request and sets `draft.caller`; a request without a valid token is refused
 * (UNAUTHENTICATED), whatever went wrong while verifying it.
 * @example useAuthentication({ issuer, audience, algorithms: ['ES256'], keys, clockToleranceSeconds: 30, maxTokenAgeSeconds: 3600 })
 */
export function useAuthentication(options: AuthOptions, logger?: Logger): GatewayPlugin {
  const authenticate = createAuthenticator(options);
  return {
    name: 'authentication',
    // Signing keys loaded: without them nobody can be verified.
    readiness: async () => ({ name: 'signing-keys', ok: await authenticate.keysLoaded() }),
    async onRequest(draft) {
      try {
        draft.caller = await authenticate(draft.headers.get('authorization'));
      } catch (error) {
        if (isProjectError(error)) {
          // Nobody can be verified: the operator's problem, logged with its cause (the client is told 503).
          if (error.code === 'SERVICE_UNAVAILABLE') logger?.error({ requestId: draft.requestId, cause: failureCause(error.cause) }, 'signing keys (JWKS) could not be loaded');
          throw error;
        }
        throw new PrivacyError('UNAUTHENTICATED', 'Authentication failed.');
      }
    },
  };
}
