import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

/** An asymmetric signing key with its key id and the public JWKS that verifies it. */
export interface SigningKey {
  kid: string;
  alg: 'ES256';
  privateKey: CryptoKey;
  jwks: JSONWebKeySet;
}

/** Development key material kept under `.data/keys/` (never committed). */
export interface DevKeys {
  /** Signs development user tokens (`npm run token`). */
  issuer: SigningKey;
  /** Signs the gateway's caller assertions to subgraphs. */
  assertion: SigningKey;
  /** Signs the access log's checkpoints (`audit.jwks.json` verifies them: `npm run audit:verify`). */
  audit: SigningKey;
  /** Keys the PSEUDONYM mask. */
  pseudonymKey: Uint8Array;
  /** Shared by the gateway and the subgraphs: binds each caller assertion to its call (`directives/protocol/binding.ts`). */
  bindingKey: Uint8Array;
  /** While `binding.key` is rotated: the previous key (`binding.previous.key`), which subgraphs still accept. */
  previousBindingKey?: Uint8Array;
}

export const DEFAULT_KEYS_DIR = path.resolve('.data', 'keys');

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function loadOrCreateSigningKey(dir: string, name: string): Promise<SigningKey> {
  const privateFile = path.join(dir, `${name}.private.jwk.json`);
  const publicFile = path.join(dir, `${name}.jwks.json`);
  let privateJwk = await readJson<JWK>(privateFile);
  if (!privateJwk) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `${name}-${randomBytes(6).toString('hex')}`;
    privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    await writeFile(privateFile, JSON.stringify(privateJwk, null, 2), { mode: 0o600, flag: 'wx' }).catch(async (error) => {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      privateJwk = (await readJson<JWK>(privateFile))!;
    });
    if (privateJwk.kid === kid) await writeFile(publicFile, JSON.stringify({ keys: [publicJwk] }, null, 2));
  }
  const jwks = await readJson<JSONWebKeySet>(publicFile);
  if (!jwks || !privateJwk.kid) throw new Error(`Key files in ${dir} are incomplete: delete ${name}.* to regenerate them.`);
  return {
    kid: privateJwk.kid,
    alg: 'ES256',
    privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
    jwks,
  };
}

/**
 * Loads the development keys, generating them on first use.
 * @example const keys = await loadOrCreateDevKeys(); // .data/keys/issuer.jwks.json, assertion.jwks.json
 */
export async function loadOrCreateDevKeys(dir: string = DEFAULT_KEYS_DIR): Promise<DevKeys> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700).catch(() => {});
  const issuer = await loadOrCreateSigningKey(dir, 'issuer');
  const assertion = await loadOrCreateSigningKey(dir, 'assertion');
  const audit = await loadOrCreateSigningKey(dir, 'audit');
  const pseudonymKey = await loadOrCreateSecret(dir, 'pseudonym.key');
  const bindingKey = await loadOrCreateSecret(dir, 'binding.key');
  const previousBindingKey = await readSecret(dir, 'binding.previous.key');
  return { issuer, assertion, audit, pseudonymKey, bindingKey, ...(previousBindingKey ? { previousBindingKey } : {}) };
}

/** A 32-byte secret kept base64url in `dir/name`, if the file is there (it is never created). */
async function readSecret(dir: string, name: string): Promise<Uint8Array | undefined> {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.byteLength < 32) throw new Error(`${file} holds fewer than 32 bytes: put the previous binding key there, or delete it.`);
  return key;
}

/** A 32-byte secret kept base64url in `dir/name`; the first process to create it wins, the others read it. */
async function loadOrCreateSecret(dir: string, name: string): Promise<Uint8Array> {
  const file = path.join(dir, name);
  const read = async () => {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
    if (key.byteLength < 32) throw new Error(`${file} holds fewer than 32 bytes: delete it to regenerate it.`);
    return key;
  };
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  try {
    await writeFile(file, key.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return read();
  }
}

/** Generates throw-away keys in memory (tests, benchmarks). */
export async function createEphemeralKeys(): Promise<DevKeys> {
  const make = async (name: string): Promise<SigningKey> => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `${name}-${randomBytes(6).toString('hex')}`;
    return { kid, alg: 'ES256', privateKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] } };
  };
  return { issuer: await make('issuer'), assertion: await make('assertion'), audit: await make('audit'), pseudonymKey: randomBytes(32), bindingKey: randomBytes(32) };
}
