// `npm run db:reset`: drops the project's schemas on DATABASE_URL and migrates again (PostgreSQL only).
import postgres from 'postgres';
import { createDatabase } from '../db/client.ts';
import { answerHelp } from './cli.ts';

answerHelp(`npm run db:reset

Drops the project's schemas on the PostgreSQL server at DATABASE_URL and migrates again (every row is lost).
The embedded database is reset by deleting .data/pglite.`);

const url = process.env.DATABASE_URL?.trim();
if (!url) {
  console.error('DATABASE_URL is not set: db:reset only works on a PostgreSQL server (delete .data/pglite to reset the embedded database).');
  process.exit(1);
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await sql.unsafe('drop schema if exists users, employers, marketing, privacy, drizzle cascade');
} finally {
  await sql.end();
}
const handle = await createDatabase({ kind: 'postgres', url });
try {
  await handle.migrate();
  console.log('Schemas dropped and migrated.');
} finally {
  await handle.close();
}
