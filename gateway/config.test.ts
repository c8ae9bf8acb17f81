import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
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
});
