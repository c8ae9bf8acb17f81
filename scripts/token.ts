// `npm run token -- --role <role> [--sub <id>] [--org <employerId>] [--purposes A,B] [--ttl seconds]`: a development JWT.
import { randomUUID } from 'node:crypto';
import { isPurpose, type Purpose } from '../directives/purposes.ts';
import { isRole, ROLE_PURPOSES, ROLES } from '../directives/roles.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { loadOrCreateDevKeys } from '../gateway/keys.ts';
import { signToken } from '../gateway/token.ts';
import { answerHelp, parseFlags, UsageError } from './cli.ts';

answerHelp(`npm run --silent token -- --role <${ROLES.join('|')}> [--sub <id>] [--org <employerId>] [--purposes A,B] [--ttl seconds]

Prints a development JWT signed with the key in KEYS_DIR (refused when the gateway verifies tokens from JWKS_URL).
Employer tokens need --org; --purposes defaults to every purpose the role may hold.`);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let values;
try {
  values = parseFlags('npm run token', {
    role: { type: 'string' },
    sub: { type: 'string' },
    org: { type: 'string' },
    purposes: { type: 'string' },
    ttl: { type: 'string' },
  });
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
let config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
if (config.jwksUrl) fail('Refusing to sign: the gateway verifies tokens from JWKS_URL, not the development key.');
const role = values.role;
if (!isRole(role)) fail(`--role must be one of: ${ROLES.join(', ')}.`);
if (role === 'employer' && !values.org) fail('--org <employerId> is required for the employer role.');
if (role !== 'employer' && values.org) fail('--org is only for the employer role.');
const purposes = (values.purposes ? values.purposes.split(',').map((p) => p.trim()).filter(Boolean) : [...ROLE_PURPOSES[role]]) as string[];
for (const purpose of purposes) {
  if (!isPurpose(purpose)) fail(`Unknown purpose "${purpose}".`);
  if (!(ROLE_PURPOSES[role] as readonly string[]).includes(purpose)) {
    fail(`Role ${role} may not hold ${purpose}; it may hold: ${ROLE_PURPOSES[role].join(', ')}.`);
  }
}
const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 60 || ttl > config.maxTokenAgeSeconds) fail(`--ttl must be an integer between 60 and ${config.maxTokenAgeSeconds}.`);
const keys = await loadOrCreateDevKeys(config.keysDir);
console.log(
  await signToken(keys.issuer, {
    sub: values.sub ?? randomUUID(),
    role,
    org: values.org ?? null,
    purposes: purposes as Purpose[],
    issuer: config.issuer,
    audience: config.audience,
    expiresIn: ttl,
  }),
);
