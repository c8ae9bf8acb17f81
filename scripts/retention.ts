// `npm run retention [-- --dry-run] [--json]`: applies the retention rules of every subgraph once, or lists what they would remove.
import { createDatabase, databaseConfigFromEnv, type DatabaseHandle } from '../db/client.ts';
import { loadConfig } from '../gateway/config.ts';
import { runRetention, type RetentionItem } from '../ledger/retention.ts';
import { answerHelp, parseFlags, runCli } from './cli.ts';
import { allSubgraphs } from './system.ts';

answerHelp(`npm run retention [-- --dry-run] [--json]

Applies the retention rules once (README "Retention"): CVs and cover letters one year after receipt, whatever is left
of deleted accounts at once, provision records three years after the last provision; subjects under a legal hold
never. Each subgraph's rules run in one transaction under the same lock as the servers' schedule (a sweep in
progress elsewhere is waited for by nobody: that subgraph is reported as skipped, exit code 1), and every deletion
is recorded in privacy.retention_log.

Options:
  --dry-run   list what would go and why; delete and record nothing
  --json      one JSON object per line (owner, collection, subjectId, rows, rule, reason, anonymised) instead of a table
  --help      this text

Uses DATABASE_URL when set, otherwise the embedded database under .data/pglite (PGLITE_DIR), which a running server
holds: stop it first, or let its schedule do the work (RETENTION_INTERVAL_MS).`);

function table(items: readonly RetentionItem[]): string {
  const header = ['owner', 'collection', 'subject', 'rows', 'rule', 'reason'];
  const rows = items.map((i) => [i.owner, i.collection, i.subjectId, String(i.rows), i.rule + (i.anonymised ? ' (anonymised)' : ''), i.reason]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

await runCli(async () => {
  const flags = parseFlags('npm run retention', { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } });
  const dryRun = flags['dry-run'] === true;
  loadConfig();
  let handle: DatabaseHandle | undefined;
  try {
    handle = await createDatabase(databaseConfigFromEnv());
    await handle.migrate();
    const items: RetentionItem[] = [];
    const skipped: string[] = [];
    for (const definition of allSubgraphs()) {
      if (!definition.retention) continue;
      const result = await runRetention(handle.db, { ...definition.retention, dryRun });
      if (result.status === 'RAN') items.push(...result.items);
      else skipped.push(definition.retention.sweeper);
    }
    if (flags.json) for (const item of items) console.log(JSON.stringify(item));
    else if (items.length > 0) console.log(table(items));
    const rows = items.reduce((sum, item) => sum + item.rows, 0);
    const summary = dryRun
      ? `dry run: ${items.length} items, ${rows} rows would go; nothing was deleted`
      : `retention run: ${items.length} items, ${rows} rows removed and recorded in privacy.retention_log`;
    (flags.json ? console.error : console.log)(summary);
    if (skipped.length > 0) {
      console.error(`skipped ${skipped.join(', ')}: a sweep of theirs is in progress in another process; try again when it ends`);
      process.exitCode = 1;
    }
  } finally {
    await handle?.close();
  }
});
