import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, JWT_ALGORITHMS, loadConfig, loadDatabaseConfig } from './config.ts';
import { DEFAULT_SUBGRAPH_CONNECTIONS } from './transport.ts';

describe('loadConfig', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ gatewayPort: 4000, databaseUrl: null, production: false, subgraphConnections: DEFAULT_SUBGRAPH_CONNECTIONS });
    expect(config.subgraphPorts).toEqual({ users: 4001, employers: 4002, marketing: 4003 });
  });

  it('reads the subgraph pool size', () => {
    expect(loadConfig({ SUBGRAPH_CONNECTIONS: '4' }).subgraphConnections).toBe(4);
  });

  it.each([
    [{ SUBGRAPH_CONNECTIONS: '0' }, /SUBGRAPH_CONNECTIONS must be an integer between 1 and 1024 \(got "0"\)/],
    [{ SUBGRAPH_CONNECTIONS: 'many' }, /SUBGRAPH_CONNECTIONS must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535/],
    [{ JWT_ALGORITHMS: 'HS256' }, /asymmetric algorithms only/],
    [{ JWKS_URL: 'not a url' }, /JWKS_URL must be an absolute URL/],
    [{ NODE_ENV: 'production' }, /NODE_ENV=production needs JWKS_URL/],
  ])('refuses %j with a message that says how to fix it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '80.5'],
    ['PORT', '0x50'],
    ['PORT', '-1'],
    ['USERS_PORT', '1e3'],
    ['EMPLOYERS_PORT', 'x'],
    ['MARKETING_PORT', '99999'],
    ['JWT_CLOCK_TOLERANCE', 'soon'],
    ['JWT_MAX_AGE', '10'],
    ['SEED_CANDIDATES', 'lots'],
  ])('refuses %s=%s as a non-integer or out of range', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be an integer between \\d+ and \\d+`));
  });

  it('reads workers, TLS files and the subgraph authority; refuses what cannot work, naming the variable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pgw-config-'));
    try {
      const cert = path.join(dir, 'cert.pem');
      const key = path.join(dir, 'key.pem');
      const junk = path.join(dir, 'junk.txt');
      writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
      writeFileSync(junk, 'not pem');
      expect(loadConfig({})).toMatchObject({ gatewayWorkers: 1, tls: null, subgraphCa: null });
      const config = loadConfig({ GATEWAY_WORKERS: '2', DATABASE_URL: 'postgres://u@h/db', TLS_CERT_FILE: cert, TLS_KEY_FILE: key, SUBGRAPH_CA_FILE: cert });
      expect(config.gatewayWorkers).toBe(2);
      expect(config.tls?.cert).toContain('BEGIN CERTIFICATE');
      expect(config.tls?.key).toContain('PRIVATE KEY');
      expect(config.subgraphCa).toContain('BEGIN CERTIFICATE');
      expect(() => loadConfig({ GATEWAY_WORKERS: '2' })).toThrow(/^GATEWAY_WORKERS above 1 needs DATABASE_URL/);
      expect(() => loadConfig({ GATEWAY_WORKERS: '0' })).toThrow(/^GATEWAY_WORKERS must be an integer between 1 and 64/);
      expect(() => loadConfig({ TLS_CERT_FILE: cert })).toThrow(/^TLS_CERT_FILE and TLS_KEY_FILE go together/);
      expect(() => loadConfig({ TLS_CERT_FILE: path.join(dir, 'missing.pem'), TLS_KEY_FILE: key })).toThrow(/^TLS_CERT_FILE must name a readable file .*ENOENT/);
      expect(() => loadConfig({ TLS_CERT_FILE: junk, TLS_KEY_FILE: key })).toThrow(/^TLS_CERT_FILE must hold a PEM certificate/);
      expect(() => loadConfig({ TLS_CERT_FILE: cert, TLS_KEY_FILE: junk })).toThrow(/^TLS_KEY_FILE must hold a PEM private key/);
      expect(() => loadConfig({ SUBGRAPH_CA_FILE: junk })).toThrow(/^SUBGRAPH_CA_FILE must hold PEM certificates/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has operational defaults: info logs, metrics on the gateway port, no CORS origin, limits on, 10 s shutdown', () => {
    expect(loadConfig({})).toMatchObject({
      logLevel: 'info',
      metricsPort: null,
      corsOrigins: [],
      rateLimits: { requestsPerMinute: 600, authFailuresPerMinute: 20 },
      shutdownTimeoutMs: 10_000,
    });
    const config = loadConfig({
      LOG_LEVEL: 'DEBUG',
      METRICS_PORT: '9464',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5',
      SHUTDOWN_TIMEOUT_MS: '2500',
    });
    expect(config).toMatchObject({
      logLevel: 'debug',
      metricsPort: 9464,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      rateLimits: { requestsPerMinute: 0, authFailuresPerMinute: 5 },
      shutdownTimeoutMs: 2500,
    });
  });

  it.each([
    ['LOG_LEVEL', 'loud'],
    ['METRICS_PORT', 'x'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', '*'],
    ['RATE_LIMIT_REQUESTS_PER_MINUTE', 'lots'],
    ['RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', '-1'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon'],
  ])('refuses %s=%s in one line naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${name} must `));
    expect((error as Error).message).not.toContain('\n');
  });

  it.each(['FOO256', 'HS256', 'none', 'ES256,FOO256', ',', 'es256'])('refuses JWT_ALGORITHMS=%s', (value) => {
    expect(() => loadConfig({ JWT_ALGORITHMS: value })).toThrow(/^JWT_ALGORITHMS must list asymmetric algorithms only/);
  });

  it('accepts every asymmetric algorithm jose verifies', () => {
    expect(loadConfig({ JWT_ALGORITHMS: JWT_ALGORITHMS.join(', ') }).algorithms).toEqual([...JWT_ALGORITHMS]);
  });

  it.each([
    ['DATABASE_URL', 'not a url with hunter2'],
    ['DATABASE_URL', 'mysql://admin:hunter2@db/x'],
    ['DATABASE_URL', 'postgres://admin:hunter2@[bad/x'],
    ['JWKS_URL', 'ftp://admin:hunter2@keys/jwks'],
    ['USERS_URL', 'users:hunter2'],
    ['EMPLOYERS_URL', 'not a url hunter2'],
    ['MARKETING_URL', 'file:///etc/hunter2'],
  ])('refuses %s=%s without repeating the value', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toMatch(new RegExp(`^${name} must be `));
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('\n');
  });

  it.each(['postgres://postgres@127.0.0.1:5432/test', 'postgresql://u:p%40ss@db.internal/app?sslmode=require', 'postgres://u@h1:5432,h2:5433/app'])(
    'accepts the PostgreSQL URL %s',
    (url) => {
      expect(loadDatabaseConfig({ DATABASE_URL: url })).toEqual({ kind: 'postgres', url });
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    },
  );

  it('opens the embedded folder when DATABASE_URL is unset', () => {
    expect(loadDatabaseConfig({ PGLITE_DIR: '/tmp/somewhere' })).toEqual({ kind: 'pglite', dataDir: '/tmp/somewhere' });
  });

  it.each([
    [{ HOST: 'not a host!' }, /^HOST must be a host name or an IP address/],
    [{ HOST: 'exa mple' }, /^HOST must be/],
    [{ JWT_ISSUER: 'a\nb' }, /^JWT_ISSUER must be a single line/],
    [{ KEYS_DIR: 'a\u0000b' }, /^KEYS_DIR must be a single line/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each(['0.0.0.0', '::', '[::1]', 'localhost', 'gateway.internal'])('accepts HOST=%s', (value) => {
    expect(loadConfig({ HOST: value }).host).toBe(value);
  });
});

describe('RETENTION_INTERVAL_MS', () => {
  it.each([
    [{}, 3_600_000],
    [{ RETENTION_INTERVAL_MS: '0' }, 0],
    [{ RETENTION_INTERVAL_MS: 'off' }, 0],
    [{ RETENTION_INTERVAL_MS: '600000' }, 600_000],
  ])('%j sweeps every %d ms (0: never)', (env, expected) => {
    expect(loadConfig(env).retentionIntervalMs).toBe(expected);
  });

  it.each(['1000', '-5', 'hourly', String(8 * 86_400_000)])('refuses RETENTION_INTERVAL_MS=%s, naming the variable', (value) => {
    expect(() => loadConfig({ RETENTION_INTERVAL_MS: value })).toThrow(/^RETENTION_INTERVAL_MS must be/);
  });
});
