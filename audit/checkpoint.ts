import { CompactSign, compactVerify, createLocalJWKSet, type CryptoKey, type JSONWebKeySet } from 'jose';

/** What a checkpoint states: this chain had this head at this time (`final`: and ends there). */
export interface CheckpointClaim {
  chainId: string;
  seq: number;
  hash: string;
  final: boolean;
  signedAt: Date;
}

/** The key that signs checkpoints (ES256, like the project's other keys); `kid` goes into every signature. */
export interface CheckpointKey {
  kid: string;
  privateKey: CryptoKey;
}

const ALGORITHM = 'ES256';

function payloadOf(claim: CheckpointClaim): string {
  return JSON.stringify({ chainId: claim.chainId, seq: claim.seq, hash: claim.hash, final: claim.final, signedAt: claim.signedAt.toISOString() });
}

/** Signs a checkpoint as a compact JWS (ES256, with `kid`). */
export async function signCheckpoint(key: CheckpointKey, claim: CheckpointClaim): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payloadOf(claim))).setProtectedHeader({ alg: ALGORITHM, kid: key.kid }).sign(key.privateKey);
}

/** Verifies checkpoint signatures against a public JWKS, the algorithm pinned. */
export function createCheckpointVerifier(jwks: JSONWebKeySet) {
  const keys = createLocalJWKSet(jwks);
  /** Whether `signature` is a valid signature by a known key over exactly `claim`. */
  return async (signature: string, claim: CheckpointClaim): Promise<boolean> => {
    try {
      const { payload } = await compactVerify(signature, keys, { algorithms: [ALGORITHM] });
      return new TextDecoder().decode(payload) === payloadOf(claim);
    } catch {
      return false;
    }
  };
}
