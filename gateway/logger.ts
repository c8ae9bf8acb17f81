import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" whatever a caller passes: credentials, headers and anything a client sent.
 * Log lines are built from named, value-free fields in the first place; this is the second line of defence.
 */
export const REDACTED_LOG_PATHS = [
  'authorization',
  'cookie',
  'token',
  'variables',
  'query',
  'headers',
  'req.headers',
  '*.authorization',
  '*.cookie',
  '*.token',
  '*.variables',
  '*.query',
  '*.headers',
  '*["x-legal-basis"]',
];

/**
 * The process's structured logger: JSON lines on stdout (or `destination`), ISO timestamps, redaction on.
 * @example const logger = createLogger({ level: config.logLevel }); logger.info({ port }, 'gateway listening');
 */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'privacy-gateway',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

/** The cause of a failure as a log may name it: the error's class and code, never its message (it may quote a value). */
export function failureCause(error: unknown): { type: string; code?: string } {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  const causeCode = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  const shown = typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : typeof causeCode === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(causeCode) ? causeCode : undefined;
  return { type: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(error.name) ? error.name : 'Error', ...(shown ? { code: shown } : {}) };
}
