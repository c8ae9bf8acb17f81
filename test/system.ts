import { DEMO_IDS } from '../db/seed/index.ts';
import type { DatabaseHandle } from '../db/client.ts';
import type { Purpose } from '../directives/purposes.ts';
import type { Role } from '../directives/roles.ts';
import type { AuthOptions } from '../gateway/plugins/authentication/auth.ts';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '../gateway/config.ts';
import { createEphemeralKeys, type DevKeys } from '../gateway/keys.ts';
import { startSystem, type RunningSystem, type SystemOptions } from '../scripts/system.ts';
import { signToken } from '../gateway/token.ts';
import { openTestDatabase } from './database.ts';

export interface GraphQLResponse {
  status: number;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
    extensions?: Record<string, any>;
  };
}

export interface RequestOptions {
  token?: string;
  purpose?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
  url?: string;
}

/** POSTs one GraphQL operation over real HTTP. */
export async function postGraphQL(url: string, query: string, options: RequestOptions = {}): Promise<GraphQLResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  const response = await fetch(options.url ?? url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

export interface TestSystem {
  system: RunningSystem;
  db: DatabaseHandle;
  keys: DevKeys;
  auth: AuthOptions;
  token(claims: { role: Role; sub?: string; org?: string | null; purposes?: Purpose[]; expiresIn?: number }): Promise<string>;
  query(query: string, options?: RequestOptions): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export const TEST_PURPOSES: Record<Role, Purpose[]> = {
  candidate: ['SERVICE_PROVISION'],
  employer: ['EMPLOYER_DISCLOSURE'],
  marketer: ['MARKETING', 'SURVEY', 'ADVERTISING'],
  analyst: ['ANALYTICS'],
  support: ['SUPPORT', 'IDENTITY_VERIFICATION', 'FRAUD_PREVENTION', 'BILLING'],
  compliance: ['SUPPORT', 'IDENTITY_VERIFICATION', 'FRAUD_PREVENTION', 'INTERNAL_AUDIT', 'LEGAL_OBLIGATION', 'VITAL_INTEREST', 'PUBLIC_HEALTH', 'GOVERNMENT_COOPERATION'],
};

/**
 * Starts the real system (three subgraphs and the gateway on ephemeral ports) on a private copy of the seeded database.
 * @example const t = await startTestSystem(); const res = await t.query('{ me { id } }', { token: await t.token({ role: 'candidate', sub }) });
 */
export async function startTestSystem(options: Partial<Pick<SystemOptions, 'enforcement' | 'production' | 'gateway' | 'audit' | 'statistics'>> & { db?: DatabaseHandle } = {}): Promise<TestSystem> {
  const db = options.db ?? (await openTestDatabase());
  const keys = await createEphemeralKeys();
  const auth: AuthOptions = {
    issuer: DEV_ISSUER,
    audience: DEFAULT_AUDIENCE,
    algorithms: ['ES256'],
    keys: { kind: 'local', jwks: keys.issuer.jwks },
    clockToleranceSeconds: 30,
    maxTokenAgeSeconds: 86_400,
  };
  const { db: _provided, ...systemOptions } = options;
  // Suites send hundreds of requests from one caller and many bad tokens from one address: limits off unless asked.
  const system = await startSystem({ db: db.db, keys, auth, ...systemOptions, gateway: { rateLimits: false, ...systemOptions.gateway } });
  return {
    system,
    db,
    keys,
    auth,
    token: (claims) =>
      signToken(keys.issuer, {
        sub: claims.sub ?? crypto.randomUUID(),
        role: claims.role,
        org: claims.org ?? null,
        purposes: claims.purposes ?? TEST_PURPOSES[claims.role],
        issuer: auth.issuer,
        audience: auth.audience,
        expiresIn: claims.expiresIn,
      }),
    query: (query, requestOptions) => postGraphQL(system.gateway.url, query, requestOptions),
    close: async () => {
      await system.close();
      if (!options.db) await db.close();
    },
  };
}

/** Tokens of the demo world's callers: its employer, a marketer, support staff and the demo candidate themselves. */
export interface DemoTokens {
  employer: string;
  marketer: string;
  support: string;
  candidate: string;
}

/**
 * One token per demo caller, for tests that follow the demo candidate (DEMO_IDS.candidate) through the graph.
 * @example const { employer, candidate } = await demoTokens(t);
 */
export async function demoTokens(t: TestSystem): Promise<DemoTokens> {
  const [employer, marketer, support, candidate] = await Promise.all([
    t.token({ role: 'employer', org: DEMO_IDS.employer }),
    t.token({ role: 'marketer' }),
    t.token({ role: 'support' }),
    t.token({ role: 'candidate', sub: DEMO_IDS.candidate }),
  ]);
  return { employer, marketer, support, candidate };
}
