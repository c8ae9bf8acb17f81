// `npm run audit:verify`: walks every access-log chain and checkpoint and reports the first broken link.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { verifyAccessLog } from '../audit/verify.ts';
import { createDatabase, databaseConfigFromEnv, type DatabaseHandle } from '../db/client.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { answerHelp, runCli } from './cli.ts';

answerHelp(`npm run audit:verify

Verifies the access log (privacy.access_log) of every gateway process: each chain's rows run 1, 2, 3… without a
gap, each row's hash is recomputed (SHA-256 over the previous hash and the row's RFC 8785 JSON), and every signed
checkpoint (privacy.access_log_checkpoints) verifies with the audit key and names a row that is there, so a cut
tail is found. Prints the rows and chains verified (exit 0), or the first broken link (exit 1).

Uses DATABASE_URL when set, otherwise the embedded database under .data/pglite (refused while a server holds it).
The public key is KEYS_DIR/audit.jwks.json (default .data/keys).`);

async function auditJwks(keysDir: string): Promise<JSONWebKeySet> {
  const file = path.join(keysDir, 'audit.jwks.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`No audit key at ${file}: set KEYS_DIR to the folder the gateway signs checkpoints with.`);
    }
    throw error;
  }
}

await runCli(async () => {
  const config = loadConfig();
  const jwks = await auditJwks(config.keysDir);
  let handle: DatabaseHandle | undefined;
  try {
    handle = await createDatabase(databaseConfigFromEnv());
    const report = await verifyAccessLog(handle.db, { jwks });
    if (report.ok) {
      console.log(`access log verified: ${report.rows} rows in ${report.chains} chains, ${report.checkpoints} signed checkpoints`);
      process.exitCode = 0;
    } else {
      console.error(`access log broken: ${report.problem}`);
      console.error(`(verified before it: ${report.rows} rows, ${report.checkpoints} checkpoints, of ${report.chains} chains)`);
      process.exitCode = 1;
    }
  } finally {
    await handle?.close();
  }
});
