import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { AuthOptions } from './auth.ts';
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
}

export const DEV_ISSUER = 'https://dev.privacy-gateway.local';
export const DEFAULT_AUDIENCE = 'job-portal-graph';

class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}").`);
  }
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): URL | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  try {
    return new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL (got "${raw}").`);
  }
}

/**
 * Reads the configuration; a bad value throws a ConfigError that says how to fix it.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of ['users', 'employers', 'marketing'] as const) {
    const value = url(env, `${name.toUpperCase()}_URL`);
    if (value) subgraphUrls[name] = value.toString();
  }
  const algorithms = (env.JWT_ALGORITHMS ?? 'ES256').split(',').map((a) => a.trim()).filter(Boolean);
  if (algorithms.length === 0 || algorithms.some((a) => /^HS|^none$/i.test(a))) {
    throw new ConfigError('JWT_ALGORITHMS must list asymmetric algorithms only (for example "ES256" or "ES256,RS256").');
  }
  const jwksUrl = url(env, 'JWKS_URL');
  const production = env.NODE_ENV === 'production';
  if (production && !jwksUrl) {
    throw new ConfigError('NODE_ENV=production needs JWKS_URL: the development signing key is for local use only.');
  }
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    gatewayPort: integer(env, 'PORT', 4000, 0, 65535),
    subgraphPorts: {
      users: integer(env, 'USERS_PORT', 4001, 0, 65535),
      employers: integer(env, 'EMPLOYERS_PORT', 4002, 0, 65535),
      marketing: integer(env, 'MARKETING_PORT', 4003, 0, 65535),
    },
    subgraphUrls,
    databaseUrl: env.DATABASE_URL?.trim() || null,
    pgliteDir: path.resolve(env.PGLITE_DIR?.trim() || path.join('.data', 'pglite')),
    keysDir: path.resolve(env.KEYS_DIR?.trim() || path.join('.data', 'keys')),
    jwksUrl,
    issuer: env.JWT_ISSUER?.trim() || DEV_ISSUER,
    audience: env.JWT_AUDIENCE?.trim() || DEFAULT_AUDIENCE,
    algorithms,
    clockToleranceSeconds: integer(env, 'JWT_CLOCK_TOLERANCE', 30, 0, 300),
    maxTokenAgeSeconds: integer(env, 'JWT_MAX_AGE', 86_400, 60, 30 * 86_400),
    production,
    seedCandidates: integer(env, 'SEED_CANDIDATES', 2_000, 1, 1_000_000),
    subgraphConnections: integer(env, 'SUBGRAPH_CONNECTIONS', DEFAULT_SUBGRAPH_CONNECTIONS, 1, 1_024),
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
