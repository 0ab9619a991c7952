import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { loadSecretBox } from '../crypto/keys';
import { createLogger } from '../logger';
import { openDatabase } from './data-source';

jest.setTimeout(60_000);

const mode = (file: string) => fs.statSync(file).mode & 0o777;

// The SQLite database and the development key are readable by the service's user only, whatever the umask.
describe('the data directory and its files', () => {
  let root: string;
  let umask: number;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-perms-'));
    // The usual umask, under which new files are world-readable unless their mode is set.
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  const start = async (dataDir: string) => {
    const config = loadConfig({ NODE_ENV: 'test', CONNECTIONS_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    loadSecretBox(config, createLogger('silent'));
    const ds = await openDatabase(config);
    await ds.runMigrations({ transaction: 'each' });
    return ds;
  };

  test('a new data directory is 0700; the key, the database and its WAL files are 0600', async () => {
    const dataDir = path.join(root, 'nested', 'data');
    const ds = await start(dataDir);
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(root, 'nested'))).toBe(0o700);
      const files = [
        'encryption.key',
        'connections.sqlite',
        'connections.sqlite-wal',
        'connections.sqlite-shm',
      ];
      for (const f of files) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
    } finally {
      await ds.destroy();
    }
  });

  test('files written world-readable before are tightened at start-up', async () => {
    const dataDir = path.join(root, 'data');
    await (await start(dataDir)).destroy();
    for (const f of ['encryption.key', 'connections.sqlite']) fs.chmodSync(path.join(dataDir, f), 0o644);
    const ds = await start(dataDir);
    try {
      expect(mode(path.join(dataDir, 'encryption.key'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'connections.sqlite'))).toBe(0o600);
    } finally {
      await ds.destroy();
    }
  });
});
