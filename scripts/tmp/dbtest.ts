import { createDatabase } from '../../db/client.ts';
import { sql } from 'drizzle-orm';
for (const cfg of [{kind:'pglite' as const}, {kind:'postgres' as const, url:'postgres://postgres@127.0.0.1:5432/test'}]) {
  const h = await createDatabase(cfg);
  const t = Date.now();
  await h.migrate(); await h.migrate();
  console.log(cfg.kind, 'migrated', Date.now()-t, 'ms');
  try { await h.db.execute(sql`insert into privacy.consent_events (subject_id,purpose,action,policy_version,source,actor) values (gen_random_uuid(),'MARKETING','GRANT','v1','IMPORT','x')`);
  await h.db.execute(sql`delete from privacy.consent_events`); console.log('DELETE ALLOWED?!'); } catch (e) { console.log('refused:', (e as Error).message); }
  await h.close();
}
