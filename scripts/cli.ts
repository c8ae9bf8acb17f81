// What every command does with an error an operator can fix: one line, exit code 2, no stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EmbeddedDatabaseLockedError } from '../db/embedded-lock.ts';
import { ConfigError } from '../gateway/config.ts';

/** A bad command-line flag, or a flag the configuration refuses; the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** True for the errors whose message tells the operator what to change (configuration, a flag, a held database). */
export function isOperatorError(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof UsageError || error instanceof EmbeddedDatabaseLockedError;
}

/**
 * Runs a command's main function; a configuration error, a bad flag or a held embedded database is printed as its
 * one-line message and ends the process with exit code 2. Anything else is thrown on, as a fault.
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

/**
 * Parses a command's flags strictly (no positionals); an unknown flag, a missing or unexpected value becomes a
 * one-line UsageError naming the command's `--help`.
 * @example const { seed } = parseFlags('npm start', { seed: { type: 'boolean' } });
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  options: T,
  argv: readonly string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? (error as Error).message.split('. ')[0]
        : 'Bad arguments';
    throw new UsageError(`${command}: ${message}; see \`${command} -- --help\`.`);
  }
}
