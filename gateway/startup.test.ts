import { readFile } from 'node:fs/promises';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client.ts';
import { openTestDatabase } from '../test/database.ts';
import { readPrivacyIndex } from '../directives/policy.ts';
import { renderPrivacyMap } from '../directives/privacy-map.ts';
import { readFileSync } from 'node:fs';
import { SUPERGRAPH_FILE } from './supergraph.ts';
import { PRIVACY_MAP_FILE } from './docs.ts';
import { createEphemeralKeys } from './keys.ts';
import { startGateway } from './server.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

async function start(supergraphSdl: string) {
  const keys = await createEphemeralKeys();
  return startGateway({
    supergraphSdl,
    subgraphUrls: {},
    auth: { issuer: 'i', audience: 'a', algorithms: ['ES256'], keys: { kind: 'local', jwks: keys.issuer.jwks }, clockToleranceSeconds: 5, maxTokenAgeSeconds: 3600 },
    assertionKey: keys.assertion,
    bindingKey: keys.bindingKey,
    pseudonymKey: keys.pseudonymKey,
    loadConsents: async () => new Map(),
    audit: { db: handle.db, checkpointKey: keys.audit },
  });
}

const sdl = readFileSync(SUPERGRAPH_FILE, 'utf8');

describe('gateway start-up', () => {

  it('starts on the composed supergraph', async () => {
    const gateway = await start(sdl);
    await gateway.close();
  });

  it.each([
    ['a non-null personal field', (s: string) => s.replace(/\n  email: String @join__field/, '\n  email: String! @join__field'), 'Candidate.email', /nullable/],
    ['a field of a personal type without a tag', (s: string) => s.replace(/\n  fullNameKana: String @join__field\(graph: USERS\) @pii\([^)]*\)( @consentRequired\([^)]*\))?/, '\n  fullNameKana: String @join__field(graph: USERS)'), 'Candidate.fullNameKana', /neither/],
    [
      'a purpose the gateway does not know (supergraph newer than the gateway)',
      (s: string) =>
        s
          .replace('@pii(category: CONTACT, purposes: [SERVICE_PROVISION', '@pii(category: CONTACT, purposes: [SNOOPING, SERVICE_PROVISION')
          .replace(/(enum privacy__Purpose[^{]*\{\n)/, '$1  SNOOPING @join__enumValue(graph: USERS)\n'),
      'Candidate.email',
      /unknown purpose SNOOPING/,
    ],
  ])('refuses %s, naming the coordinate', async (_name, breakIt, coordinate, message) => {
    const broken = breakIt(sdl);
    expect(broken).not.toBe(sdl);
    const error = await start(broken).then(
      async (g) => {
        await g.close();
        return null;
      },
      (e: Error) => e,
    );
    expect(error?.message).toContain(coordinate);
    expect(error?.message).toMatch(message);
  });
});

describe('docs/privacy-map.md', () => {
  it('is current (run `npm run privacy-map`)', async () => {
    const expected = renderPrivacyMap(readPrivacyIndex(parse(sdl)).index);
    expect(await readFile(PRIVACY_MAP_FILE, 'utf8')).toBe(expected);
  });
});
