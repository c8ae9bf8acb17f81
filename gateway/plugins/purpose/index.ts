import { PrivacyError, ServiceError } from '../../../directives/errors.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import { bindPurpose } from './bind.ts';

export { bindPurpose } from './bind.ts';

/**
 * Binds the authenticated caller to the purpose the request declares (`x-purpose`, with `x-legal-basis` for a
 * legal-basis purpose) and reads `x-privacy-mode` (`strict` refuses an operation that would be answered with
 * withheld fields; `lenient`, the default, answers it with errors at their paths).
 * @example startGateway({ plugins: [useAuthentication(auth), usePurposeBinding(), …] })
 */
export function usePurposeBinding(): GatewayPlugin {
  return {
    name: 'purpose-binding',
    onRequest(draft) {
      if (!draft.caller) throw new PrivacyError('UNAUTHENTICATED', 'Authentication failed.');
      draft.boundCaller = bindPurpose(draft.caller, {
        purpose: draft.headers.get('x-purpose'),
        legalBasis: draft.headers.text('x-legal-basis'),
      });
      const mode = draft.headers.get('x-privacy-mode')?.trim().toLowerCase();
      if (mode !== undefined && mode !== 'strict' && mode !== 'lenient') {
        throw new ServiceError('BAD_USER_INPUT', 'x-privacy-mode must be "strict" or "lenient".');
      }
      draft.strict = mode === 'strict';
    },
  };
}
