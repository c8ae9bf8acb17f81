import { isProjectError, PrivacyError } from '../../../directives/errors.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { createAuthenticator, type AuthOptions } from './auth.ts';

export { createAuthenticator, type AuthOptions } from './auth.ts';

/**
 * Verifies the bearer token of every request and sets `draft.caller`; a request without a valid token is refused
 * (UNAUTHENTICATED), whatever went wrong while verifying it.
 * @example useAuthentication({ issuer, audience, algorithms: ['ES256'], keys, clockToleranceSeconds: 30, maxTokenAgeSeconds: 3600 })
 */
export function useAuthentication(options: AuthOptions): GatewayPlugin {
  const authenticate = createAuthenticator(options);
  return {
    name: 'authentication',
    // Signing keys loaded: without them nobody can be verified.
    readiness: async () => ({ name: 'signing-keys', ok: await authenticate.keysLoaded() }),
    async onRequest(draft) {
      try {
        draft.caller = await authenticate(draft.headers.get('authorization'));
      } catch (error) {
        if (isProjectError(error)) throw error;
        throw new PrivacyError('UNAUTHENTICATED', 'Authentication failed.');
      }
    },
  };
}
