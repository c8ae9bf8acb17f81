// The house rules of the code base, checked on the migrated database and on the sources.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { openTestDatabase } from './database.ts';

describe('each subgraph owns its tables', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('no foreign key crosses two schemas', async () => {
    const rows = (await handle.db.execute(sql`
      select c.conname as name, src.nspname as from_schema, dst.nspname as to_schema
      from pg_constraint c
      join pg_class sc on sc.oid = c.conrelid join pg_namespace src on src.oid = sc.relnamespace
      join pg_class dc on dc.oid = c.confrelid join pg_namespace dst on dst.oid = dc.relnamespace
      where c.contype = 'f' and src.nspname in ('users', 'employers', 'marketing', 'privacy')
    `)) as unknown as { rows?: { name: string; from_schema: string; to_schema: string }[] } | { name: string; from_schema: string; to_schema: string }[];
    const keys = Array.isArray(rows) ? rows : (rows.rows ?? []);
    // The schema has foreign keys inside subgraphs (addresses → candidates, jobs → employers): the query sees them.
    expect(keys.some((k) => k.from_schema === 'users' && k.to_schema === 'users')).toBe(true);
    expect(keys.filter((k) => k.from_schema !== k.to_schema).map((k) => `${k.from_schema} → ${k.to_schema}: ${k.name}`)).toEqual([]);
  });
});
