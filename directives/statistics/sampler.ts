/**
 * The exact discrete Laplace (two-sided geometric) sampler of Canonne, Kamath and Steinke, "The Discrete Gaussian
 * for Differential Privacy" (2020), Algorithms 1 and 2: integers only, from a byte source, so no floating-point
 * rounding shapes the noise (Mironov 2012). The release path uses node:crypto's `randomBytes`.
 */
import { randomBytes } from 'node:crypto';

/** Returns `size` uniformly random bytes. */
export type ByteSource = (size: number) => Uint8Array;

/** The release path's byte source: node:crypto's CSPRNG. */
export const CRYPTO_BYTE_SOURCE: ByteSource = randomBytes;

/** Largest range `uniformBelow` draws from: 2^48 fits six bytes and stays an exact JavaScript integer. */
const MAX_RANGE = 2 ** 48;
const BUFFER_SIZE = 4096;

/** Uniform integers and rational Bernoulli trials drawn from one byte source. */
export interface ExactRandom {
  /** A uniform integer in [0, n), 1 <= n <= 2^48. */
  uniformBelow(n: number): number;
}

/** Exact uniform integers from a byte source, by rejection (no modulo bias); bytes are read in buffered blocks. */
export function createExactRandom(source: ByteSource = CRYPTO_BYTE_SOURCE): ExactRandom {
  let buffer: Uint8Array = new Uint8Array(0);
  let offset = 0;
  const byte = () => {
    if (offset >= buffer.length) {
      buffer = source(BUFFER_SIZE);
      offset = 0;
      if (buffer.length === 0) throw new Error('The byte source returned no bytes.');
    }
    return buffer[offset++]!;
  };
  return {
    uniformBelow(n) {
      if (!Number.isSafeInteger(n) || n < 1 || n > MAX_RANGE) throw new RangeError('uniformBelow needs an integer range in [1, 2^48].');
      if (n === 1) return 0;
      const limit = MAX_RANGE - (MAX_RANGE % n);
      for (;;) {
        let x = 0;
        for (let i = 0; i < 6; i++) x = x * 256 + byte();
        if (x < limit) return x % n;
      }
    },
  };
}

/** Bernoulli(n / d) for integers 0 <= n <= d. */
export function bernoulliRational(random: ExactRandom, n: number, d: number): boolean {
  if (!(Number.isSafeInteger(n) && Number.isSafeInteger(d) && n >= 0 && d >= 1 && n <= d)) throw new RangeError('bernoulliRational needs 0 <= n <= d.');
  return random.uniformBelow(d) < n;
}

/** Bernoulli(exp(-n / d)) for a rational 0 <= n/d <= 1 (CKS Algorithm 1). */
export function bernoulliExpMinus(random: ExactRandom, n: number, d: number): boolean {
  if (!(n >= 0 && n <= d)) throw new RangeError('bernoulliExpMinus needs 0 <= n/d <= 1.');
  let k = 1;
  while (bernoulliRational(random, n, d * k)) k++;
  return k % 2 === 1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * One draw of the discrete Laplace distribution with scale t/s: P(z) ∝ exp(-|z| · s / t) for every integer z
 * (CKS Algorithm 2). For the Laplace mechanism t/s = sensitivity / ε.
 * @example sampleDiscreteLaplace(createExactRandom(), 1000, 500) // scale 2: ε = 0.5, sensitivity 1
 */
export function sampleDiscreteLaplace(random: ExactRandom, t: number, s: number): number {
  if (!(Number.isSafeInteger(t) && Number.isSafeInteger(s) && t >= 1 && s >= 1)) throw new RangeError('The scale must be a ratio of positive integers.');
  const g = gcd(t, s);
  t /= g;
  s /= g;
  for (;;) {
    const u = random.uniformBelow(t);
    if (!bernoulliExpMinus(random, u, t)) continue;
    let v = 0;
    while (bernoulliExpMinus(random, 1, 1)) v++;
    const x = u + t * v;
    const y = (x - (x % s)) / s; // integer division, exact
    const negative = bernoulliRational(random, 1, 2);
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}
