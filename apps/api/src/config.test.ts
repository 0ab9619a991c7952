import { randomBytes } from 'node:crypto';
import { loadConfig } from './config';

describe('loadConfig', () => {
  test('defaults: port 4000, SQLite under ./data, public URL follows the port', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.database).toEqual({
      type: 'sqlite',
      file: expect.stringMatching(/data[/\\]connections\.sqlite$/),
    });
    expect(c.publicUrl).toBeUndefined();
    expect(c.graphql.introspection).toBe(true);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://example.com' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ CONNECTIONS_ADMIN_EMAIL: 'nope' }, 'CONNECTIONS_ADMIN_EMAIL'],
    [{ CONNECTIONS_ADMIN_PASSWORD: 'short' }, 'CONNECTIONS_ADMIN_PASSWORD'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_SCHEMA: 'Robert"); DROP' }, 'DATABASE_SCHEMA'],
  ])('a bad value stops start-up naming the variable: %j', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  test('production requires an encryption key, hides introspection and masks errors', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/CONNECTIONS_ENCRYPTION_KEY: required/);
    const c = loadConfig({
      NODE_ENV: 'production',
      CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    expect(c.graphql).toMatchObject({ introspection: false, maskErrors: true });
  });

  test('DATABASE_URL selects PostgreSQL; a trailing slash on PUBLIC_URL is dropped', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', PUBLIC_URL: 'https://cnx.example.com/' });
    expect(c.database).toEqual({ type: 'postgres', url: 'postgres://u@h:5432/db', schema: undefined });
    expect(c.publicUrl).toBe('https://cnx.example.com');
  });
});

describe('loadConfig: a forgotten NODE_ENV is safe (issue 12, item 7)', () => {
  test('outside production the server listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', CONNECTIONS_ENCRYPTION_KEY: key }).host).toBe('0.0.0.0');
  });

  test('`npm start` on this machine keeps the sandbox, introspection and unmasked errors, and says nothing', () => {
    for (const env of [{}, { PUBLIC_URL: 'http://localhost:5173' }, { HOST: '::1' }, { HOST: 'localhost' }]) {
      const c = loadConfig(env);
      expect(c.sandbox).toBe(true);
      expect(c.graphql).toMatchObject({ introspection: true, maskErrors: false });
      expect(c.notices).toEqual([]);
    }
  });

  test.each([
    [{ HOST: '0.0.0.0' }, 'HOST=0.0.0.0'],
    [{ HOST: '::' }, 'HOST=::'],
    [{ HOST: '10.1.2.3' }, 'HOST=10.1.2.3'],
    [{ PUBLIC_URL: 'https://connections.example.com' }, 'PUBLIC_URL=https://connections.example.com'],
    [{ PUBLIC_URL: 'http://192.168.1.20:4000' }, 'PUBLIC_URL=http://192.168.1.20:4000'],
  ])('reachable without NODE_ENV=production (%j): development defaults off, and said so', (env, named) => {
    const c = loadConfig(env);
    expect(c.sandbox).toBe(false);
    expect(c.graphql).toMatchObject({ introspection: false, maskErrors: true });
    expect(c.notices).toHaveLength(1);
    expect(c.notices[0]).toContain(named);
    expect(c.notices[0]).toMatch(/the sandbox, GraphQL introspection and unmasked errors are off/);
    expect(c.notices[0]).toMatch(/NODE_ENV=production/);
  });

  test('CONNECTIONS_SANDBOX=true on a reachable development server is refused, by name', () => {
    const c = loadConfig({ HOST: '0.0.0.0', CONNECTIONS_SANDBOX: 'true' });
    expect(c.sandbox).toBe(false);
    expect(c.notices[0]).toMatch(/CONNECTIONS_SANDBOX=true is refused/);
    // Introspection asked for explicitly stays the operator's choice.
    expect(loadConfig({ HOST: '0.0.0.0', GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  test('production is reachable by design: no notice, and the sandbox only when asked', () => {
    const base = { NODE_ENV: 'production', CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    expect(loadConfig(base)).toMatchObject({ sandbox: false, notices: [] });
    expect(loadConfig({ ...base, CONNECTIONS_SANDBOX: 'true' }).sandbox).toBe(true);
  });
});

describe('loadConfig: CONNECTIONS_METRICS_TOKEN (issue 12, item 10)', () => {
  test('unset by default (metrics off); a short token stops start-up', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(() => loadConfig({ CONNECTIONS_METRICS_TOKEN: 'short' })).toThrow(/CONNECTIONS_METRICS_TOKEN:/);
    const token = randomBytes(32).toString('hex');
    expect(loadConfig({ CONNECTIONS_METRICS_TOKEN: token }).metricsToken).toBe(token);
  });
});

describe('loadConfig: CONNECTIONS_TRUST_PROXY (issue 12, item 8: the client address)', () => {
  test('off by default (the TCP peer); a hop count or proxy addresses; never "true"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ CONNECTIONS_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ CONNECTIONS_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(() => loadConfig({ CONNECTIONS_TRUST_PROXY: 'true' })).toThrow(/CONNECTIONS_TRUST_PROXY:/);
  });
});
