import fs from 'node:fs';
import { createLogger } from '../logger';
import { type OAuth2Process, startOAuth2Process } from './oauth2-process';

jest.setTimeout(60_000);

// The sandbox's OAuth 2.0 child gets only the environment it needs (issue 12, item 22): the API's own
// (encryption key, database and Redis URLs) stays in the API. Read from /proc, as the kernel sees it.

const linux = fs.existsSync('/proc/self/environ') ? test : test.skip;

describe('the sandbox OAuth 2.0 child process', () => {
  const saved = { ...process.env };
  let child: OAuth2Process | undefined;

  afterAll(async () => {
    await child?.close();
    process.env = saved;
  });

  linux('inherits none of the API environment: no encryption key, no database URL', async () => {
    process.env.CONNECTIONS_ENCRYPTION_KEY = 'canary-encryption-key';
    process.env.CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS = 'canary-previous-key';
    process.env.DATABASE_URL = 'postgres://canary:secret@db/connections';
    process.env.REDIS_URL = 'redis://:canary@redis';
    child = await startOAuth2Process({
      issuer: 'http://localhost:1/sandbox/oauth',
      clientId: 'client',
      clientSecret: 'client-secret',
      redirectUri: 'http://localhost:1/oauth/callback',
      logger: createLogger('silent'),
    });
    const environ = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(environ.join('\n')).not.toContain('canary');
    const names = environ.map((line) => line.slice(0, line.indexOf('=')));
    for (const name of names)
      expect(['PATH', 'SYSTEMROOT', 'NODE_ENV', 'NODE_NO_WARNINGS']).toContain(
        name.startsWith('SANDBOX_') ? 'NODE_NO_WARNINGS' : name,
      );
    expect(names).toEqual(expect.arrayContaining(['SANDBOX_ISSUER', 'SANDBOX_INTERNAL_SECRET']));
    // And it still works with that: it answers the API on its internal endpoint.
    expect(await child.control({})).toMatchObject({ accessTokenTtlSeconds: 0, revokedGrants: 0 });
  });
});
