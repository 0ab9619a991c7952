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
