import { createHash } from 'node:crypto';
import type { ByteSource } from './sampler.ts';

/** A fixed, reproducible byte stream for tests: SHA-256 of (seed, counter), block after block. */
export function fixedByteStream(seed: string): ByteSource {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i += 32) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, size - i)), i);
    }
    return out;
  };
}
