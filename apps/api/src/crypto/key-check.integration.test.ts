import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startServer } from '../server';
import { databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

describe.each(databases())('encryption key at start-up (%s)', (db) => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });

  test('a key that cannot decrypt stored data is refused; the old key as a previous key is accepted', async () => {
    t = await startTestServer(db);
    const secret = `client-secret-${randomBytes(8).toString('hex')}`;
    const created = await t.gql(
      `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id hasClientSecret } }`,
      {
        i: {
          name: 'Keyed',
          authType: 'OAUTH2',
          authorizeUrl: 'https://auth.example.com/authorize',
          accessTokenUrl: 'https://auth.example.com/token',
          clientId: 'cid',
          clientSecret: secret,
          apiBaseUrls: ['https://api.example.com'],
        },
      },
      await t.adminAuth(),
    );
    expect(created.data?.createCustomService.hasClientSecret).toBe(true);
    const select = `SELECT "id", "clientSecretEncrypted" FROM "service" WHERE "kind" = 'CUSTOM'`;
    const before = await t.server.ds.query(select);
    await t.server.close();

    const wrongKey = randomBytes(32).toString('base64');
    const silent = { logger: createLogger('silent') };
    await expect(
      startServer(loadConfig({ ...t.env, CONNECTIONS_ENCRYPTION_KEY: wrongKey }), silent),
    ).rejects.toThrow(/CONNECTIONS_ENCRYPTION_KEY cannot decrypt the data already stored/);

    // Rotation: the new key leads, the old one is still there to read what it wrote.
    const rotated = await startServer(
      loadConfig({
        ...t.env,
        CONNECTIONS_ENCRYPTION_KEY: wrongKey,
        CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS: t.env.CONNECTIONS_ENCRYPTION_KEY!,
      }),
      silent,
    );
    const row = await rotated.ds.query(select);
    expect(row[0].clientSecretEncrypted).not.toBe(before[0].clientSecretEncrypted);
    expect(rotated.services.registry.clientSecretOf(row[0])).toBe(secret);
    await rotated.close();

    // That start re-encrypted everything under the new key, so the new key alone now reads it all.
    const newOnly = await startServer(loadConfig({ ...t.env, CONNECTIONS_ENCRYPTION_KEY: wrongKey }), silent);
    const again = await newOnly.ds.query(select);
    expect(newOnly.services.registry.clientSecretOf(again[0])).toBe(secret);
    await newOnly.close();
  });

  test('a generated development key is written once to the data directory and reused', async () => {
    t = await startTestServer(db, { CONNECTIONS_ENCRYPTION_KEY: '' });
    const keyFile = path.join(t.dataDir, 'encryption.key');
    const first = fs.readFileSync(keyFile, 'utf8');
    expect(Buffer.from(first.trim(), 'base64')).toHaveLength(32);
    expect(fs.statSync(keyFile).mode & 0o077).toBe(0);
    await t.server.close();
    const again = await startServer(loadConfig({ ...t.env }), { logger: createLogger('silent') });
    expect(fs.readFileSync(keyFile, 'utf8')).toBe(first);
    await again.close();
  });
});
