// `npm run build`: compiles the services to JavaScript in dist/ (tsc, tsconfig.build.json) and copies the files they
// read at run time beside them, so the production commands run with plain `node` (no TypeScript loader).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerHelp, UsageError, runCli } from './cli.ts';
import { parseArgs } from 'node:util';

answerHelp(`npm run build

Compiles directives/, gateway/, ledger/, subgraphs/, db/ and scripts/ to JavaScript in dist/ and copies what they read
at run time (the subgraphs' schema.graphql files, the supergraph, the migrations, the explorer's page, the privacy
map). Then, for example: node dist/scripts/start-gateway.js (see the README's "Production" section).

  --out-dir DIR   build into DIR, a folder inside the project (default dist), so the packages resolve from it`);

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files read at run time: under each folder (relative to the repository root), those whose path matches. */
const RUNTIME_ASSETS: readonly { folder: string; match: RegExp }[] = [
  { folder: 'subgraphs', match: /^[a-z]+\/schema\.graphql$/ },
  { folder: 'gateway', match: /^supergraph\.graphql$/ },
  { folder: 'gateway/plugins/explorer', match: /^page\.js$/ },
  { folder: 'db/migrations', match: /\.(sql|json)$/ },
  { folder: 'docs', match: /^privacy-map\.md$/ },
];

await runCli(async () => {
  let values: { 'out-dir'?: string };
  try {
    ({ values } = parseArgs({ options: { 'out-dir': { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: npm run build [-- --out-dir DIR]`);
  }
  const OUT = path.resolve(ROOT, values['out-dir'] ?? 'dist');
  const inside = path.relative(ROOT, OUT);
  // The folder is emptied first: only a build folder directly inside the project (its packages resolve from there).
  if (!/^(dist|\.build)[\w.-]*$/.test(inside)) {
    throw new UsageError('--out-dir must be dist or a folder directly inside the project whose name starts with dist or .build.');
  }
  rmSync(OUT, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { stdio: 'inherit', cwd: ROOT });
  if (compiled.status !== 0) {
    console.error('The build failed: tsc reported the errors above.');
    process.exit(1);
  }
  let copied = 0;
  for (const { folder, match } of RUNTIME_ASSETS) {
    const files = readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) => match.test(name.split(path.sep).join('/')));
    if (files.length === 0) {
      console.error(`The build failed: no file in ${folder}/ matches ${match}.`);
      process.exit(1);
    }
    for (const name of files) {
      const relative = path.join(folder, name);
      mkdirSync(path.dirname(path.join(OUT, relative)), { recursive: true });
      cpSync(path.join(ROOT, relative), path.join(OUT, relative));
      copied++;
    }
  }
  console.log(`Built ${inside}/: compiled sources and ${copied} run-time files.`);
});
