import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { DatabaseConfig } from '../db/client.ts';
import type { AuthOptions } from './plugins/authentication/auth.ts';
import { DEFAULT_SUBGRAPH_CONNECTIONS } from './transport.ts';

/** The subgraphs this deployment routes to; their URLs come from the supergraph or USERS_URL etc. */
export const SUBGRAPH_NAMES = ['users', 'employers', 'marketing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Everything the system reads from the environment, resolved once with defaults. */
export interface Config {
  host: string;
  gatewayPort: number;
  subgraphPorts: Record<SubgraphName, number>;
  /** Set when a subgraph runs elsewhere (gateway started alone). */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  databaseUrl: string | null;
  pgliteDir: string;
  keysDir: string;
  jwksUrl: URL | null;
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number;
  production: boolean;
  seedCandidates: number;
  /** Keep-alive connections from the gateway to each subgraph. */
  subgraphConnections: number;
  /** pino level of the structured logs. */
  logLevel: LogLevel;
  /** A separate port for `/metrics`; null serves it on the gateway's port. */
  metricsPort: number | null;
  /** Browser origins allowed to call the gateway (CORS); empty allows none. */
  corsOrigins: string[];
  /** Per replica; 0 turns a limit off. */
  rateLimits: { requestsPerMinute: number; authFailuresPerMinute: number };
  /** How long a stopping server lets requests in flight finish. */
  shutdownTimeoutMs: number;
  /** Gateway worker processes sharing the port (1: no workers, the process serves itself). */
  gatewayWorkers: number;
  /** A subgraph serves HTTPS with this PEM key and certificate (TLS_KEY_FILE, TLS_CERT_FILE). */
  tls: { key: string; cert: string } | null;
  /** The gateway trusts only this PEM authority for https subgraph URLs (SUBGRAPH_CA_FILE). */
  subgraphCa: string | null;
  /** Time between retention sweeps of each subgraph (RETENTION_INTERVAL_MS); 0 turns the schedule off. */
  retentionIntervalMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEV_ISSUER = 'https://dev.privacy-gateway.local';
export const DEFAULT_AUDIENCE = 'job-portal-graph';

/** A bad environment variable; the message names it and says how to fix it, and never repeats a secret. */
class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

/** The asymmetric JOSE algorithms jose verifies; shared secrets (HS*) and `none` are never accepted. */
export const JWT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    // A number is no secret; showing a short one helps spot the typo.
    const shown = raw.length <= 20 ? ` (got "${raw}")` : '';
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}${shown}: set it to such a number or unset it for the default.`);
  }
  return value;
}

/** An http(s) URL; the value is never repeated, since a URL may carry credentials. */
function httpUrl(env: NodeJS.ProcessEnv, name: string, example: string): URL | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  let value: URL | undefined;
  try {
    value = new URL(raw);
  } catch {
    // reported below
  }
  if (!value || (value.protocol !== 'http:' && value.protocol !== 'https:')) {
    throw new ConfigError(`${name} must be an absolute URL (http or https) such as ${example} (the value is not shown), or unset.`);
  }
  return value;
}

/**
 * A PostgreSQL connection URL as postgres.js reads it (several hosts may be listed, comma-separated).
 * The value is never repeated: it usually holds a password.
 */
function postgresUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const error = new ConfigError(
    `${name} must be a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/database (the value is not shown), ` +
      'or unset to use the embedded database.',
  );
  if (!/^postgres(ql)?:\/\//i.test(raw)) throw error;
  const hosts = raw.slice(raw.indexOf('://') + 3).split(/[?/]/)[0] ?? '';
  const hostList = hosts.slice(hosts.indexOf('@') + 1);
  try {
    new URL(raw.replace(hostList, hostList.split(',')[0] ?? ''));
  } catch {
    throw error;
  }
  return raw;
}

function algorithmList(env: NodeJS.ProcessEnv): string[] {
  const algorithms = (env.JWT_ALGORITHMS ?? 'ES256').split(',').map((a) => a.trim()).filter(Boolean);
  if (algorithms.length === 0 || algorithms.some((a) => !(JWT_ALGORITHMS as readonly string[]).includes(a))) {
    throw new ConfigError(
      `JWT_ALGORITHMS must list asymmetric algorithms only, comma-separated, from ${JWT_ALGORITHMS.join(', ')} (for example "ES256" or "ES256,RS256").`,
    );
  }
  return algorithms;
}

function host(env: NodeJS.ProcessEnv): string {
  const raw = env.HOST?.trim();
  if (!raw) return '127.0.0.1';
  const hostName = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  if (!isIP(raw.replace(/^\[(.*)\]$/, '$1')) && !hostName.test(raw)) {
    throw new ConfigError('HOST must be a host name or an IP address to listen on, such as 127.0.0.1 or 0.0.0.0, or unset for 127.0.0.1.');
  }
  return raw;
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, or unset for info.`);
  return raw as LogLevel;
}

/** Exact origins (scheme, host, optional port; no path), comma-separated; a bad one is named (an origin is no secret). */
function originList(env: NodeJS.ProcessEnv): string[] {
  const entries = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const entry of entries) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      // reported below
    }
    if (origin !== entry.replace(/\/$/, '') || !/^https?:/.test(entry)) {
      const shown = entry.length <= 100 && !/[\u0000-\u001f]/.test(entry) ? ` ("${entry}" is not one)` : '';
      throw new ConfigError(`CORS_ORIGINS must list exact origins such as https://app.example.com, comma-separated${shown}, or be unset for none.`);
    }
  }
  return entries.map((entry) => new URL(entry).origin);
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new ConfigError(`${name} must be a single line without control characters, or unset for "${fallback}".`);
  return raw;
}

/** The text of the file a variable names (a path is not a secret: it is named in the message), or null when unset. */
function fileText(env: NodeJS.ProcessEnv, name: string, what: string): string | null {
  const file = env[name]?.trim();
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name} must name a readable file holding ${what}; ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

function tlsFiles(env: NodeJS.ProcessEnv): { key: string; cert: string } | null {
  const cert = fileText(env, 'TLS_CERT_FILE', 'a PEM certificate (chain)');
  const key = fileText(env, 'TLS_KEY_FILE', 'a PEM private key');
  if ((cert === null) !== (key === null)) throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither.');
  if (cert !== null && !cert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('TLS_CERT_FILE must hold a PEM certificate (-----BEGIN CERTIFICATE-----).');
  if (key !== null && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new ConfigError('TLS_KEY_FILE must hold a PEM private key (-----BEGIN … PRIVATE KEY-----).');
  return cert !== null && key !== null ? { cert, key } : null;
}

/** Where the data lives, validated: `DATABASE_URL` (PostgreSQL), otherwise the embedded folder `PGLITE_DIR`. */
export function loadDatabaseSettings(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string | null; pgliteDir: string } {
  return {
    databaseUrl: postgresUrl(env, 'DATABASE_URL'),
    pgliteDir: path.resolve(text(env, 'PGLITE_DIR', path.join('.data', 'pglite'))),
  };
}

/**
 * The database to open for the validated environment; a bad value throws a ConfigError.
 * @example const handle = await createDatabase(loadDatabaseConfig());
 */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const { databaseUrl, pgliteDir } = loadDatabaseSettings(env);
  return databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir: pgliteDir };
}

/**
 * Reads the configuration; a bad value throws a ConfigError that says how to fix it.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of ['users', 'employers', 'marketing'] as const) {
    const value = httpUrl(env, `${name.toUpperCase()}_URL`, `http://127.0.0.1:4001/graphql`);
    if (value) subgraphUrls[name] = value.toString();
  }
  const algorithms = algorithmList(env);
  const jwksUrl = httpUrl(env, 'JWKS_URL', 'https://login.example.com/.well-known/jwks.json');
  const production = env.NODE_ENV === 'production';
  if (production && !jwksUrl) {
    throw new ConfigError('NODE_ENV=production needs JWKS_URL: the development signing key is for local use only.');
  }
  return {
    host: host(env),
    gatewayPort: integer(env, 'PORT', 4000, 0, 65535),
    subgraphPorts: {
      users: integer(env, 'USERS_PORT', 4001, 0, 65535),
      employers: integer(env, 'EMPLOYERS_PORT', 4002, 0, 65535),
      marketing: integer(env, 'MARKETING_PORT', 4003, 0, 65535),
    },
    subgraphUrls,
    ...loadDatabaseSettings(env),
    keysDir: path.resolve(text(env, 'KEYS_DIR', path.join('.data', 'keys'))),
    jwksUrl,
    issuer: text(env, 'JWT_ISSUER', DEV_ISSUER),
    audience: text(env, 'JWT_AUDIENCE', DEFAULT_AUDIENCE),
    algorithms,
    clockToleranceSeconds: integer(env, 'JWT_CLOCK_TOLERANCE', 30, 0, 300),
    maxTokenAgeSeconds: integer(env, 'JWT_MAX_AGE', 86_400, 60, 30 * 86_400),
    production,
    seedCandidates: integer(env, 'SEED_CANDIDATES', 2_000, 1, 1_000_000),
    subgraphConnections: integer(env, 'SUBGRAPH_CONNECTIONS', DEFAULT_SUBGRAPH_CONNECTIONS, 1, 1_024),
    logLevel: logLevel(env),
    metricsPort: env.METRICS_PORT?.trim() ? integer(env, 'METRICS_PORT', 0, 0, 65535) : null,
    corsOrigins: originList(env),
    rateLimits: {
      requestsPerMinute: integer(env, 'RATE_LIMIT_REQUESTS_PER_MINUTE', 600, 0, 1_000_000),
      authFailuresPerMinute: integer(env, 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', 20, 0, 1_000_000),
    },
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    gatewayWorkers: workers(env),
    tls: tlsFiles(env),
    subgraphCa: caFile(env),
    retentionIntervalMs: retentionInterval(env),
  };
}

/** RETENTION_INTERVAL_MS: a number of milliseconds (at least a minute), or 0 / off; every hour when unset. */
function retentionInterval(env: NodeJS.ProcessEnv): number {
  const raw = env.RETENTION_INTERVAL_MS?.trim().toLowerCase();
  if (raw === 'off') return 0;
  const value = integer(env, 'RETENTION_INTERVAL_MS', 3_600_000, 0, 7 * 86_400_000);
  if (value > 0 && value < 60_000) {
    throw new ConfigError('RETENTION_INTERVAL_MS must be 0 or off (no schedule) or at least 60000 (a minute), and at most 604800000 (a week), or unset for every hour.');
  }
  return value;
}

function workers(env: NodeJS.ProcessEnv): number {
  const count = integer(env, 'GATEWAY_WORKERS', 1, 1, 64);
  if (count > 1 && !env.DATABASE_URL?.trim()) {
    throw new ConfigError('GATEWAY_WORKERS above 1 needs DATABASE_URL: the embedded database serves one process only.');
  }
  return count;
}

function caFile(env: NodeJS.ProcessEnv): string | null {
  const ca = fileText(env, 'SUBGRAPH_CA_FILE', 'PEM certificates of the authority that signs the subgraphs\' certificates');
  if (ca !== null && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('SUBGRAPH_CA_FILE must hold PEM certificates (-----BEGIN CERTIFICATE-----).');
  return ca;
}

/** The gateway's operational settings from a configuration (metrics port, CORS origins, rate limits, shutdown bound). */
export function operationsOptions(config: Config) {
  return {
    metrics: config.metricsPort === null ? {} : { port: config.metricsPort },
    corsOrigins: config.corsOrigins,
    rateLimits: config.rateLimits,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  };
}

/** The token-verification options for a configuration and the development JWKS. */
export function authOptions(config: Config, devJwks: JSONWebKeySet): AuthOptions {
  return {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    keys: config.jwksUrl ? { kind: 'remote', url: config.jwksUrl } : { kind: 'local', jwks: devJwks },
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxTokenAgeSeconds: config.maxTokenAgeSeconds,
  };
}

export { ConfigError };
