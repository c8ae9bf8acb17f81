import * as crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedByteStream } from './byte-stream.testing.ts';
import { bernoulliExpMinus, createExactRandom, CRYPTO_BYTE_SOURCE, sampleDiscreteLaplace } from './sampler.ts';

/** P(z) of the discrete Laplace with P ∝ exp(-|z| / scale). */
function pmf(z: number, scale: number): number {
  const p = Math.exp(-1 / scale);
  return ((1 - p) / (1 + p)) * p ** Math.abs(z);
}

/** Pearson's chi-square of `draws` against the pmf, over bins -k..k with both tails pooled. */
function chiSquare(draws: readonly number[], scale: number, k: number): { statistic: number; df: number } {
  const observed = new Map<number, number>();
  for (const z of draws) {
    const bin = Math.max(-k - 1, Math.min(k + 1, z));
    observed.set(bin, (observed.get(bin) ?? 0) + 1);
  }
  let inside = 0;
  let statistic = 0;
  for (let z = -k; z <= k; z++) {
    const expected = pmf(z, scale) * draws.length;
    inside += pmf(z, scale);
    statistic += ((observed.get(z) ?? 0) - expected) ** 2 / expected;
  }
  const tail = ((1 - inside) / 2) * draws.length;
  for (const bin of [-k - 1, k + 1]) statistic += ((observed.get(bin) ?? 0) - tail) ** 2 / tail;
  return { statistic, df: 2 * k + 2 };
}

/** The chi-square critical value at α = 0.001 (Wilson–Hilferty), generous enough never to flake on a fixed stream. */
function critical(df: number): number {
  const z = 3.09;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

function draws(seed: string, t: number, s: number, n: number): number[] {
  const random = createExactRandom(fixedByteStream(seed));
  return Array.from({ length: n }, () => sampleDiscreteLaplace(random, t, s));
}

describe('the discrete Laplace sampler', () => {
  it.each([
    ['ε = 1, sensitivity 1 (scale 1)', 1000, 1000, 1, 8],
    ['ε = 0.5, sensitivity 1 (scale 2)', 1000, 500, 2, 12],
    ['ε = 1, sensitivity 3 (scale 3)', 3000, 1000, 3, 15],
  ])('matches the pmf over 200,000 draws: %s', (_, t, s, scale, k) => {
    const sample = draws(`chi-${t}-${s}`, t, s, 200_000);
    const { statistic, df } = chiSquare(sample, scale, k);
    expect(statistic).toBeLessThan(critical(df));
    // symmetric around 0
    const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
    expect(Math.abs(mean)).toBeLessThan(0.05 * scale);
  });

  it('fails the chi-square test when the scale is wrong', () => {
    const sample = draws('chi-wrong', 1000, 1000, 200_000); // scale 1
    expect(chiSquare(sample, 2, 8).statistic).toBeGreaterThan(critical(18) * 10);
    expect(chiSquare(sample, 1.1, 8).statistic).toBeGreaterThan(critical(18));
    const wide = draws('chi-wrong-2', 1000, 500, 200_000); // scale 2
    expect(chiSquare(wide, 1, 8).statistic).toBeGreaterThan(critical(18) * 10);
  });

  it('Bernoulli(exp(-γ)) has the right mean for rational γ', () => {
    const random = createExactRandom(fixedByteStream('bern'));
    for (const [n, d] of [[1, 1], [1, 2], [3, 7], [0, 5]] as const) {
      let ones = 0;
      for (let i = 0; i < 50_000; i++) if (bernoulliExpMinus(random, n, d)) ones++;
      expect(Math.abs(ones / 50_000 - Math.exp(-n / d))).toBeLessThan(0.01);
    }
  });

  it('is reproducible from a fixed stream and refuses a bad scale', () => {
    expect(draws('same', 1000, 700, 100)).toEqual(draws('same', 1000, 700, 100));
    const random = createExactRandom(fixedByteStream('x'));
    expect(() => sampleDiscreteLaplace(random, 0, 1)).toThrow(RangeError);
    expect(() => sampleDiscreteLaplace(random, 1.5, 1)).toThrow(RangeError);
  });

  it('draws from node:crypto on the release path', () => {
    expect(CRYPTO_BYTE_SOURCE).toBe(crypto.randomBytes);
    // The default random source reads its bytes from that source: two defaults never agree on a long run.
    const a = createExactRandom();
    const b = createExactRandom();
    const run = (r: typeof a) => Array.from({ length: 64 }, () => r.uniformBelow(2 ** 40));
    expect(run(a)).not.toEqual(run(b));
  });

  it('uses no Math.random and no floating-point logarithm in the statistics core', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testing.ts'));
    expect(sources).toEqual(expect.arrayContaining(['sampler.ts', 'mechanism.ts', 'accountant.ts']));
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/Math\s*\.\s*(random|log\w*)\b/);
      expect(text, file).not.toMatch(/crypto\.getRandomValues|Math\[/);
    }
  });
});
