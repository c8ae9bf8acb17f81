// `npm run migrate`: applies the committed SQL migrations to DATABASE_URL or the embedded database.
import { createDatabase, databaseConfigFromEnv } from '../db/client.ts';

const handle = await createDatabase(databaseConfigFromEnv());
try {
  await handle.migrate();
  console.log(`Migrated (${handle.kind}).`);
} finally {
  await handle.close();
}
