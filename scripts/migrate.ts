// `npm run migrate`: applies the committed SQL migrations to DATABASE_URL or the embedded database.
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';
import { answerHelp, runCli } from './cli.ts';

answerHelp(`npm run migrate

Applies the committed SQL migrations to DATABASE_URL, or to the embedded database under .data/pglite
(refused while another process holds it).`);

await runCli(async () => {
  const handle = await createDatabase(databaseConfigFromEnv());
  try {
    await handle.migrate();
    console.log(`Migrated (${handle.kind}).`);
  } finally {
    await handle.close();
  }
});
