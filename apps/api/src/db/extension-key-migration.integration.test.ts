import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../config';
import { databases } from '../test-support/server';
import { openDatabase } from './data-source';

jest.setTimeout(60_000);

// Extensions made before keys existed get one from their name (unique per workspace) and version 1.0.0.
describe.each(databases())('the extension key migration (%s)', (db) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-extkey-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CONNECTIONS_DATA_DIR: dataDir,
    ...(db === 'postgres' ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema } : {}),
  });
  afterAll(async () => {
    if (db === 'postgres') {
      const client = new Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('backfills keys from names, unique per workspace, and version 1.0.0', async () => {
    const before = await openDatabase(config);
    const mine = before.migrations.findIndex((m) => m.name === 'ExtensionKeyVersion1764930000000');
    expect(mine).toBeGreaterThan(0);
    before.migrations.splice(mine);
    await before.runMigrations({ transaction: 'each' });
    const [w1, w2] = [randomUUID(), randomUUID()];
    const rows: [string, string][] = [
      [w1, 'Sales Sync'],
      [w1, 'sales-sync'],
      [w1, 'Ümlaut ÉTL'],
      [w1, '***'],
      [w2, 'Sales Sync'],
    ];
    for (const [i, [workspaceId, name]] of rows.entries())
      await before.query(
        `INSERT INTO "extension" ("id", "workspaceId", "name", "connectionDefinitions", "createdById", "createdAt") VALUES (${
          db === 'postgres' ? '$1, $2, $3, $4, $5, $6' : '?, ?, ?, ?, ?, ?'
        })`,
        [randomUUID(), workspaceId, name, '[]', randomUUID(), `2025-01-01 00:0${i}:00`],
      );
    await before.destroy();

    const after = await openDatabase(config);
    try {
      await after.runMigrations({ transaction: 'each' });
      const keys = await after.query(
        `SELECT "workspaceId", "name", "key", "version" FROM "extension" ORDER BY "createdAt"`,
      );
      expect(keys.map((k: any) => [k.workspaceId, k.name, k.key, k.version])).toEqual([
        [w1, 'Sales Sync', 'sales-sync', '1.0.0'],
        [w1, 'sales-sync', 'sales-sync-2', '1.0.0'],
        [w1, 'Ümlaut ÉTL', 'umlaut-etl', '1.0.0'],
        [w1, '***', 'extension', '1.0.0'],
        [w2, 'Sales Sync', 'sales-sync', '1.0.0'],
      ]);
      // The columns are required from now on, and a key is unique in its workspace.
      const insert = (key: string | null) =>
        after.query(
          `INSERT INTO "extension" ("id", "workspaceId", "name", "key", "version", "connectionDefinitions", "createdById") VALUES (${
            db === 'postgres' ? '$1, $2, $3, $4, $5, $6, $7' : '?, ?, ?, ?, ?, ?, ?'
          })`,
          [randomUUID(), w1, `New ${randomUUID()}`, key, '1.0.0', '[]', randomUUID()],
        );
      await expect(insert(null)).rejects.toThrow();
      await expect(insert('sales-sync')).rejects.toThrow();
      await insert('fresh-key');
    } finally {
      await after.destroy();
    }
  });
});
