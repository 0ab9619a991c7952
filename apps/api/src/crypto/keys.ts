import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ensurePrivateDir, ensurePrivateFile } from '../db/private-files';
import { parseKey, SecretBox } from './secret-box';

/**
 * The primary key comes from CONNECTIONS_ENCRYPTION_KEY. In development, when unset, a key is generated
 * once into the data directory (directory 0700, file 0600) so restarts keep decrypting; production refuses
 * to start without it.
 */
export function loadSecretBox(config: Config, logger: Logger): SecretBox {
  let primary: Buffer;
  if (config.encryptionKey) {
    primary = parseKey(config.encryptionKey, 'CONNECTIONS_ENCRYPTION_KEY');
  } else {
    const file = path.join(config.dataDir, 'encryption.key');
    if (fs.existsSync(file)) {
      // A key file written before modes were enforced may be world-readable: tighten it.
      ensurePrivateFile(file);
      primary = parseKey(fs.readFileSync(file, 'utf8'), file);
    } else {
      ensurePrivateDir(config.dataDir);
      primary = randomBytes(32);
      fs.writeFileSync(file, primary.toString('base64') + '\n', { mode: 0o600 });
    }
    logger.warn(
      { keyFile: file },
      '!!! CONNECTIONS_ENCRYPTION_KEY is not set: using a development key stored in the data directory. ' +
        'Anyone who can read that file can decrypt every stored credential. Set CONNECTIONS_ENCRYPTION_KEY in production. !!!',
    );
  }
  const previous = config.previousEncryptionKeys.map((k, i) =>
    parseKey(k, `CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS[${i}]`),
  );
  return new SecretBox(primary, previous);
}
