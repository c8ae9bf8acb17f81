import { base, en, Faker, ja } from '@faker-js/faker';

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.2425 * DAY_MS;

/** A seeded random source: a private Faker instance (Japanese locale) plus the helpers the seed needs. */
export class Rng {
  readonly faker: Faker;

  constructor(seed: number) {
    this.faker = new Faker({ locale: [ja, en, base] });
    this.faker.seed(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.faker.number.float();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return max <= min ? min : this.faker.number.int({ min, max });
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.float() * total;
    for (const [value, w] of items) {
      x -= w;
      if (x < 0) return value;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** `k` distinct elements (fewer when the list is shorter), in random order. */
  distinct<T>(items: readonly T[], k: number): T[] {
    const pool = items.slice();
    const n = Math.min(k, pool.length);
    for (let i = 0; i < n; i++) {
      const j = this.int(i, pool.length - 1);
      const tmp = pool[i] as T;
      pool[i] = pool[j] as T;
      pool[j] = tmp;
    }
    return pool.slice(0, n);
  }

  uuid(): string {
    return this.faker.string.uuid();
  }

  digits(n: number): string {
    return this.faker.string.numeric({ length: n, allowLeadingZeros: true });
  }

  upperLetters(n: number): string {
    return this.faker.string.alpha({ length: n, casing: 'upper' });
  }

  hex(n: number): string {
    return this.faker.string.hexadecimal({ length: n, casing: 'lower', prefix: '' });
  }

  /** A time in [fromMs, toMs], whole seconds, so stored timestamps compare cleanly. */
  time(fromMs: number, toMs: number): number {
    const lo = Math.ceil(fromMs / 1000);
    const hi = Math.floor(toMs / 1000);
    return this.int(lo, Math.max(lo, hi)) * 1000;
  }
}

/** Cumulative-weight table for fast repeated weighted picks (binary search). */
export class WeightedTable<T> {
  private readonly values: T[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  constructor(items: Iterable<readonly [T, number]>) {
    for (const [value, weight] of items) {
      this.total += weight;
      this.values.push(value);
      this.cumulative.push(this.total);
    }
    if (this.values.length === 0) throw new Error('empty weighted table');
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }

  share(predicate: (value: T) => boolean): number {
    let sum = 0;
    let prev = 0;
    this.values.forEach((v, i) => {
      const c = this.cumulative[i] as number;
      if (predicate(v)) sum += c - prev;
      prev = c;
    });
    return sum / this.total;
  }
}

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
