import { scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { DUMMY_PASSWORD_HASH, hashPassword, needsRehash, verifyPassword } from './secrets';

jest.setTimeout(30_000);

/** A hash as the first release stored them: scrypt N=2^14, r=8, p=1. */
async function legacyHash(password: string): Promise<string> {
  const salt = Buffer.alloc(16, 7);
  const hash = (await promisify(scrypt)(password, salt, 64)) as Buffer;
  return ['scrypt', 16384, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

describe('password hashes', () => {
  test("new hashes use OWASP's scrypt cost (N=2^17, r=8, p=1) and verify", async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong horse battery', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  test('an older, cheaper hash still verifies and asks to be re-hashed', async () => {
    const old = await legacyHash('correct horse battery');
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  test('the unknown-email hash costs what a real one does, and a malformed hash is refused', async () => {
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 4)).toEqual(['scrypt', '131072', '8', '1']);
    expect(await verifyPassword('anything', DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
  });
});
