// The per-request batch loader: one batch per wave, and values answered without a promise once known.
import { describe, expect, it } from 'vitest';
import { BatchLoader, loaderFor } from './batch-loader.ts';

function counting() {
  const batches: string[][] = [];
  const loader = new BatchLoader<string | null>(
    async (keys) => {
      batches.push([...keys]);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `value of ${k}`]));
    },
    () => null,
  );
  return { loader, batches };
}

describe('BatchLoader', () => {
  it('loads the keys of one wave in one batch, each once', async () => {
    const { loader, batches } = counting();
    const values = await Promise.all([loader.load('a'), loader.load('b'), loader.load('a'), loader.load('missing')]);
    expect(values).toEqual(['value of a', 'value of b', 'value of a', null]);
    expect(batches).toEqual([['a', 'b', 'missing']]);
  });

  it('answers a primed or already loaded key at once, and any other with a promise', async () => {
    const { loader, batches } = counting();
    loader.prime('p', 'primed');
    expect(loader.loadNow('p')).toBe('primed');
    const pending = loader.loadNow('a');
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe('value of a');
    expect(loader.loadNow('a')).toBe('value of a');
    expect(await loader.load('missing')).toBeNull();
    expect(loader.loadNow('missing')).toBeNull();
    expect(batches).toEqual([['a'], ['missing']]);
  });

  it('does not let a prime replace a key already asked for, and forgets keys whose batch failed', async () => {
    let fail = true;
    const loader = new BatchLoader<string>(async (keys) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, `value of ${k}`]));
    }, () => 'none');
    await expect(loader.load('a')).rejects.toThrow('down');
    fail = false;
    const again = loader.loadNow('a');
    expect(again).toBeInstanceOf(Promise);
    expect(await again).toBe('value of a');
    const asked = loader.load('b');
    loader.prime('b', 'primed later');
    expect(await asked).toBe('value of b');
    expect(loader.loadNow('b')).toBe('value of b');
  });
});

describe('loaderFor', () => {
  it('gives one loader per request and name, so no value crosses two requests', async () => {
    const batches: string[][] = [];
    const batch = async (keys: readonly string[]) => {
      batches.push([...keys]);
      return new Map(keys.map((k) => [k, `${k} at ${batches.length}`]));
    };
    const [first, second] = [{}, {}];
    const a = loaderFor(first, 'things', batch, () => null);
    expect(loaderFor(first, 'things', batch, () => null)).toBe(a);
    expect(loaderFor(first, 'other', batch, () => null)).not.toBe(a);
    expect(await a.load('x')).toBe('x at 1');
    expect(await loaderFor(second, 'things', batch, () => null).load('x')).toBe('x at 2');
    expect(a.loadNow('x')).toBe('x at 1');
    expect(batches).toEqual([['x'], ['x']]);
  });
});
