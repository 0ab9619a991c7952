import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest. A stored value is `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts):
 * the key id lets keys rotate (old keys stay able to decrypt), the random 96-bit IV is fresh per value, and
 * the associated data binds the value to its table, column and row, so a value copied into another row or
 * column fails authentication instead of decrypting.
 */
export interface SecretRef {
  table: string;
  column: string;
  rowId: string;
}

export class DecryptionError extends Error {}

const VERSION = 'v1';

export function parseKey(base64: string, name: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, ''))
    throw new Error(`${name}: must be 32 bytes encoded as base64 (for example: openssl rand -base64 32)`);
  return key;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('connections-key-id').update(key).digest('base64url').slice(0, 10);
}

function aad(ref: SecretRef): Buffer {
  return Buffer.from(`${ref.table}\u0000${ref.column}\u0000${ref.rowId}`, 'utf8');
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly primaryKeyId: string;

  constructor(primary: Buffer, previous: Buffer[] = []) {
    this.primaryKeyId = keyIdOf(primary);
    this.keys.set(this.primaryKeyId, primary);
    for (const k of previous) this.keys.set(keyIdOf(k), k);
  }

  encrypt(plaintext: string, ref: SecretRef): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.primaryKeyId)!, iv);
    cipher.setAAD(aad(ref));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.primaryKeyId,
      iv.toString('base64url'),
      body.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  }

  decrypt(stored: string, ref: SecretRef): string {
    const parts = stored.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not an encrypted value');
    const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new DecryptionError(`encrypted with an unknown key (${keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(ref));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new DecryptionError(`cannot decrypt ${ref.table}.${ref.column} of ${ref.rowId}`);
    }
  }

  /** A stable secret for another purpose (e.g. signing cookies), derived so it never equals the key. */
  deriveSecret(purpose: string): string {
    return createHmac('sha256', this.keys.get(this.primaryKeyId)!)
      .update(`connections:${purpose}`)
      .digest('base64url');
  }

  hasPreviousKeys(): boolean {
    return this.keys.size > 1;
  }

  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  keyIdOf(stored: string): string | undefined {
    return stored.split('.')[1];
  }

  encryptJson(value: unknown, ref: SecretRef): string {
    return this.encrypt(JSON.stringify(value), ref);
  }

  decryptJson<T>(stored: string, ref: SecretRef): T {
    return JSON.parse(this.decrypt(stored, ref)) as T;
  }
}
