import { SignJWT } from 'jose';
import type { Purpose } from '../directives/purposes.ts';
import type { Role } from '../directives/roles.ts';
import type { SigningKey } from './keys.ts';

export interface TokenRequest {
  sub: string;
  role: Role;
  org?: string | null;
  purposes: readonly Purpose[];
  issuer: string;
  audience: string;
  /** Lifetime in seconds (default one hour). */
  expiresIn?: number;
  now?: Date;
}

/**
 * Signs a user token with a development key (tests, `npm run token`).
 * @example await signToken(keys.issuer, { sub, role: 'candidate', purposes: ['SERVICE_PROVISION'], issuer, audience })
 */
export async function signToken(key: Pick<SigningKey, 'kid' | 'privateKey'>, request: TokenRequest): Promise<string> {
  const iat = Math.floor((request.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    role: request.role,
    purposes: [...request.purposes],
    ...(request.org ? { org: request.org } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (request.expiresIn ?? 3600))
    .sign(key.privateKey);
}
