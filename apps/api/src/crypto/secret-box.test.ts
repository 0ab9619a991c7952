import { randomBytes } from 'node:crypto';
import { DecryptionError, parseKey, SecretBox } from './secret-box';

const ref = { table: 'authorization', column: 'credentials', rowId: 'row-1' };

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  test('round-trips, with a fresh IV every time and no plaintext in the stored value', () => {
    const a = box.encrypt('s3cr3t-token', ref);
    const b = box.encrypt('s3cr3t-token', ref);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(Buffer.from(a.split('.')[3]!, 'base64url').toString()).not.toContain('s3cr3t');
    expect(box.decrypt(a, ref)).toBe('s3cr3t-token');
    expect(a.split('.')[1]).toBe(box.primaryKeyId);
  });

  test('a value copied to another row or column does not decrypt', () => {
    const stored = box.encrypt('value', ref);
    expect(() => box.decrypt(stored, { ...ref, rowId: 'row-2' })).toThrow(DecryptionError);
    expect(() => box.decrypt(stored, { ...ref, column: 'other' })).toThrow(DecryptionError);
    expect(() => box.decrypt(stored, { ...ref, table: 'service' })).toThrow(DecryptionError);
  });

  test('tampering is detected', () => {
    const parts = box.encrypt('value', ref).split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), ref)).toThrow(DecryptionError);
  });

  test('rotation: a new primary key still reads values written with a previous key; without it they fail', () => {
    const old = box.encrypt('old-value', ref);
    const rotated = new SecretBox(randomBytes(32), [key]);
    expect(rotated.decrypt(old, ref)).toBe('old-value');
    expect(rotated.keyIdOf(rotated.encrypt('new', ref))).toBe(rotated.primaryKeyId);
    expect(() => new SecretBox(randomBytes(32)).decrypt(old, ref)).toThrow(/unknown key/);
  });

  test('keys must be 32 bytes of base64', () => {
    expect(() => parseKey(randomBytes(16).toString('base64'), 'K')).toThrow(/K: must be 32 bytes/);
    expect(() => parseKey('not base64 at all!!', 'K')).toThrow(/K:/);
    expect(parseKey(key.toString('base64'), 'K').equals(key)).toBe(true);
  });
});
