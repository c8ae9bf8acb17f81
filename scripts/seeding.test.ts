import { describe, expect, it } from 'vitest';
import { UsageError } from './cli.ts';
import { startSeeding, type StartSeedingInput } from './seeding.ts';

describe('startSeeding', () => {
  it.each<[StartSeedingInput, 'seed' | 'leave']>([
    [{ database: 'pglite', production: false, seedFlag: false }, 'seed'],
    [{ database: 'pglite', production: false, seedFlag: true }, 'seed'],
    [{ database: 'postgres', production: false, seedFlag: false }, 'leave'],
    [{ database: 'postgres', production: false, seedFlag: true }, 'seed'],
    [{ database: 'pglite', production: true, seedFlag: false }, 'leave'],
    [{ database: 'postgres', production: true, seedFlag: false }, 'leave'],
  ])('%o → %s', (input, kind) => {
    expect(startSeeding(input).kind).toBe(kind);
  });

  it.each(['pglite', 'postgres'] as const)('refuses --seed in production (%s)', (database) => {
    expect(() => startSeeding({ database, production: true, seedFlag: true })).toThrow(UsageError);
  });

  it('tells an empty PostgreSQL how to seed, and production that it never does', () => {
    const postgres = startSeeding({ database: 'postgres', production: false, seedFlag: false });
    expect(postgres.kind === 'leave' && postgres.whenEmpty).toContain('npm start -- --seed');
    const production = startSeeding({ database: 'postgres', production: true, seedFlag: false });
    expect(production.kind === 'leave' && production.whenEmpty).not.toContain('--seed');
  });
});
