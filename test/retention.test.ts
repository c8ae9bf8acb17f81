// Retention on a real database: the owners' rules, dry run against run, legal holds, the retention log, and the
// schedule of two replicas of one subgraph started together (on PGlite two servers sharing one database in this
// process; on PostgreSQL two servers on two connection pools).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEphemeralKeys } from '../gateway/keys.ts';
import { runRetention, RUN_RECORD_RULE, type RetentionItem, type RetentionRunResult } from '../ledger/retention.ts';
import { allSubgraphs } from '../scripts/system.ts';
import type { ServedGraphQL } from '../subgraphs/common/http.ts';
import { startSubgraph } from '../subgraphs/common/server.ts';
import { usersSubgraph } from '../subgraphs/users/index.ts';
import { recordSubjectStanding } from '../ledger/subjects.ts';
import { resumes } from '../db/schema/users.ts';
import { RETENTION_RULE_CODES, RETENTION_RULES } from '../directives/retention.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import { expectedItems, itemLine, seedRetentionCases, type RetentionCases } from './retention-fixtures.ts';

let handle: TestDatabase;
let cases: RetentionCases;

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await handle.db.execute(query));
  return Number(row!.n);
}

/** Rows of each table about the seeded subjects (text of every column, so anonymisation counts too). */
async function snapshot(): Promise<string> {
  const ids = [cases.old, cases.fresh, cases.held, cases.erased];
  const tables: [string, string][] = [
    ['users.candidates', 'id'],
    ['users.addresses', 'candidate_id'],
    ['users.resumes', 'candidate_id'],
    ['users.work_history', 'candidate_id'],
    ['employers.applications', 'candidate_id'],
    ['marketing.ad_identifiers', 'candidate_id'],
    ['marketing.survey_responses', 'candidate_id'],
    ['privacy.provision_records', 'subject_id'],
  ];
  const parts: string[] = [];
  for (const [table, column] of tables) {
    const rows = rowsOf<{ row: string }>(
      await handle.db.execute(sql`select to_jsonb(t)::text as row from ${sql.raw(table)} t where ${sql.raw(column)} = any(${`{${ids.join(',')}}`}::uuid[]) order by 1`),
    );
    parts.push(`${table}: ${rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

const sweepers = () => allSubgraphs().map((d) => d.retention!);

async function sweepAll(dryRun: boolean): Promise<RetentionItem[]> {
  const items: RetentionItem[] = [];
  for (const retention of sweepers()) {
    const result = await runRetention(handle.db, { ...retention, dryRun });
    expect(result.status).toBe('RAN');
    if (result.status === 'RAN') items.push(...result.items);
  }
  return items;
}

const ours = (items: readonly RetentionItem[]) =>
  items.filter((i) => [cases.old, cases.fresh, cases.held, cases.erased].includes(i.subjectId)).map(itemLine).sort();

beforeAll(async () => {
  handle = await openTestDatabase();
  cases = await seedRetentionCases(handle.db);
}, 60_000);

afterAll(async () => {
  await handle?.close();
});

describe('the retention vocabulary', () => {
  it('every rule cites its clause or law, and is implemented by its owner, and only there', () => {
    const implemented = new Map<string, Set<string>>();
    for (const { sweeper, targets } of sweepers()) {
      for (const target of targets) {
        const owner = RETENTION_RULES[target.rule].owner;
        // The provision records' rule (audit/) runs in the users subgraph, which serves them.
        expect(owner === sweeper || (owner === 'audit' && sweeper === 'users'), `${target.rule} in ${sweeper}`).toBe(true);
        implemented.set(target.rule, (implemented.get(target.rule) ?? new Set()).add(sweeper));
      }
    }
    expect([...implemented.keys()].sort()).toEqual([...RETENTION_RULE_CODES].sort());
    for (const code of RETENTION_RULE_CODES) {
      const rule = RETENTION_RULES[code];
      expect(rule.sources.length > 0 || 'law' in rule, code).toBe(true);
      expect(implemented.get(code)!.size, code).toBe(1);
    }
  });
});

describe('retention rules', () => {
  let dry: RetentionItem[];
  let ran: RetentionItem[];

  it('a dry run lists what would go and why, and deletes nothing', async () => {
    const before = await snapshot();
    const logged = await count(sql`select count(*)::int as n from privacy.retention_log`);
    dry = await sweepAll(true);
    expect(ours(dry)).toEqual(expectedItems(cases));
    for (const item of dry) expect(item.reason).toMatch(/MIMS policy 10|APPI Art\. 29/);
    expect(await snapshot()).toBe(before);
    expect(await count(sql`select count(*)::int as n from privacy.retention_log`)).toBe(logged);
  });

  it('a run removes exactly what the dry run listed, and logs each item in privacy.retention_log', async () => {
    ran = await sweepAll(false);
    expect(ran.map(itemLine).sort()).toEqual(dry.map(itemLine).sort());
    const logged = rowsOf<{ owner: string; collection: string; subject_id: string; rows: number; rule: string; anonymised: boolean; reason: string }>(
      await handle.db.execute(sql`select owner, collection, subject_id, rows, rule, anonymised, reason from privacy.retention_log where rule <> ${RUN_RECORD_RULE}`),
    );
    expect(logged.map((r) => itemLine({ ...r, subjectId: r.subject_id })).sort()).toEqual(ran.map(itemLine).sort());
    // One run record per sweeper, counting its rows.
    const runs = rowsOf<{ owner: string; rows: number }>(await handle.db.execute(sql`select owner, rows from privacy.retention_log where rule = ${RUN_RECORD_RULE} order by owner`));
    expect(runs.map((r) => r.owner)).toEqual(['employers', 'marketing', 'users']);
    expect(runs.reduce((s, r) => s + r.rows, 0)).toBe(ran.reduce((s, i) => s + i.rows, 0));
    // The log names rules and counts, never a value.
    const text = JSON.stringify(rowsOf(await handle.db.execute(sql`select * from privacy.retention_log`)));
    for (const value of Object.values(cases.values)) expect(text).not.toContain(value);
  });

  it('leaves the fresh and the held subject as they were, and nothing due behind', async () => {
    expect(await count(sql`select count(*)::int as n from users.resumes where candidate_id in (${cases.fresh}::uuid, ${cases.held}::uuid)`)).toBe(2);
    expect(await count(sql`select count(*)::int as n from users.work_history where candidate_id in (${cases.fresh}::uuid, ${cases.held}::uuid)`)).toBe(2);
    expect(await count(sql`select count(*)::int as n from employers.applications where candidate_id = ${cases.held}::uuid and cover_letter is not null`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from privacy.provision_records where subject_id = ${cases.held}::uuid`)).toBe(1);
    // The old subject keeps its application (without the letter) and its younger provision record.
    expect(await count(sql`select count(*)::int as n from employers.applications where candidate_id = ${cases.old}::uuid and cover_letter is null`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from privacy.provision_records where subject_id = ${cases.old}::uuid`)).toBe(1);
    // The erased subject's profile is its tombstone; no seeded value is left anywhere about it.
    const text = await snapshot();
    expect(text).not.toContain(cases.values.street);
    expect(text).not.toContain(cases.values.adId);
    expect(text).not.toContain(cases.values.answer);
    expect(text).not.toContain(`${cases.values.name} erased`);
    expect(ours(await sweepAll(true))).toEqual([]);
  });

  it('a legal hold wins over every rule; released, the subject is swept', async () => {
    const { releaseLegalHold } = await import('../ledger/holds.ts');
    // The held subject also leaves the service: still nothing goes while the hold stands.
    await recordSubjectStanding(handle.db, [{ subjectId: cases.held, standing: 'WITHDRAWN' }]);
    expect(ours(await sweepAll(true)).filter((l) => l.includes(cases.held))).toEqual([]);
    await releaseLegalHold(handle.db, { subjectId: cases.held, releasedBy: 'compliance-test' });
    const after = ours(await sweepAll(true)).filter((l) => l.includes(cases.held));
    expect(after).toEqual(
      [
        `users users.resumes ${cases.held} 1 DELETED_ACCOUNT false`,
        `users users.work_history ${cases.held} 1 DELETED_ACCOUNT false`,
        `users users.candidates ${cases.held} 1 DELETED_ACCOUNT true`,
        `audit privacy.provision_records ${cases.held} 1 PROVISION_RECORD_THREE_YEARS false`,
        `employers employers.applications ${cases.held} 1 DELETED_ACCOUNT_APPLICATIONS false`,
      ].sort(),
    );
  });

  it('the database still refuses deleting a provision record younger than 3 years', async () => {
    await expect(handle.db.execute(sql`delete from privacy.provision_records where subject_id = ${cases.old}::uuid`)).rejects.toThrow();
  });
});

describe('the schedule', () => {
  // A database of its own: the rules above already ran the sweepers on theirs within the hour.
  let own: TestDatabase;
  beforeAll(async () => {
    own = await openTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await own?.close();
  });

  it('two replicas of the users subgraph started together sweep once', async () => {
    const handle = own;
    const count = async (query: ReturnType<typeof sql>) => Number(rowsOf<{ n: number }>(await handle.db.execute(query))[0]!.n);
    // A fresh due CV for this run.
    const id = randomUUID();
    await handle.db.execute(
      sql`insert into users.candidates (id, full_name, full_name_kana, email) values (${id}::uuid, 'Schedule Case', 'テスト', ${`schedule-${id}@example.com`})`,
    );
    await recordSubjectStanding(handle.db, [{ subjectId: id, standing: 'ACTIVE' }]);
    await handle.db.insert(resumes).values({ candidateId: id, summary: 'Schedule CV', receivedAt: new Date(Date.now() - 500 * 86_400_000) });
    const runsBefore = await count(sql`select count(*)::int as n from privacy.retention_log where owner = 'users' and rule = ${RUN_RECORD_RULE}`);

    const keys = await createEphemeralKeys();
    const second = await handle.reopen();
    const lines: { status: string; rows?: Record<string, number> }[] = [];
    let done: () => void;
    const bothLogged = new Promise<void>((resolve) => (done = resolve));
    const logger = {
      info: (line: object) => {
        lines.push(line as (typeof lines)[number]);
        if (lines.length === 2) done();
      },
      error: (line: object) => {
        lines.push(line as (typeof lines)[number]);
        if (lines.length === 2) done();
      },
    } as never;
    const servers: ServedGraphQL[] = [];
    try {
      for (const db of [handle.db, second.db]) {
        servers.push(
          await startSubgraph(usersSubgraph(), {
            db,
            assertionJwks: keys.assertion.jwks,
            bindingKey: keys.bindingKey,
            retention: { intervalMs: 3_600_000, firstRunDelayMs: 0, logger },
          }),
        );
      }
      await bothLogged;
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await second.close();
    }
    const statuses = lines.map((l) => l.status);
    expect(statuses.filter((s) => s === 'RAN')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'LOCKED' || s === 'NOT_DUE')).toHaveLength(1);
    // The log line carries counts, never a subject id.
    expect(JSON.stringify(lines)).not.toContain(id);
    expect(await count(sql`select count(*)::int as n from privacy.retention_log where owner = 'users' and rule = ${RUN_RECORD_RULE}`)).toBe(runsBefore + 1);
    expect(await count(sql`select count(*)::int as n from privacy.retention_log where subject_id = ${id}::uuid`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from users.resumes where candidate_id = ${id}::uuid`)).toBe(0);
  });

  it('a replica whose turn comes within the interval finds the run done; a manual run is not held back', async () => {
    const handle = own;
    const users = usersSubgraph().retention!;
    const scheduled = (): Promise<RetentionRunResult> => runRetention(handle.db, { ...users, minGapMs: 3_000_000 });
    expect((await scheduled()).status).toBe('NOT_DUE');
    expect((await runRetention(handle.db, users)).status).toBe('RAN');
  });
});
