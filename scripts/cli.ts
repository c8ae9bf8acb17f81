// What every command does with an error an operator can fix: one line, exit code 2, no stack trace.
import { EmbeddedDatabaseLockedError } from '../db/embedded-lock.ts';
import { ConfigError } from '../gateway/config.ts';

/** True for the errors whose message tells the operator what to change (configuration, a held database). */
export function isOperatorError(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof EmbeddedDatabaseLockedError;
}

/**
 * Runs a command's main function; a configuration error or a held embedded database is printed as its one-line
 * message and ends the process with exit code 2. Anything else is thrown on, as a fault.
 * @example await runCli(async () => { const config = loadConfig(); … });
 */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/**
 * Answers `--help` (or `-h`): prints the command's usage to stdout and exits 0. Call it before anything else runs.
 * @example answerHelp('npm run migrate\n\nApplies the committed SQL migrations …');
 */
export function answerHelp(usage: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  console.log(`Usage: ${usage.trim()}`);
  process.exit(0);
}
