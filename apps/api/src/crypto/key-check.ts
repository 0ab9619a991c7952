import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AuthorizationRow, ServiceRow, SystemSettingRow } from '../db/entities';
import { DecryptionError, type SecretBox } from './secret-box';

const CANARY_KEY = 'encryption_canary';
const CANARY_REF = { table: 'system_setting', column: 'value', rowId: CANARY_KEY };

export class EncryptionKeyMismatch extends Error {}

/**
 * Refuses to start with a key that cannot decrypt what is stored: a canary written with the first key must
 * decrypt, and a sample of stored secrets must carry key ids we hold. Starting anyway would make every
 * connection fail later, one request at a time.
 */
export async function verifyEncryptionKey(ds: DataSource, box: SecretBox, logger: Logger): Promise<void> {
  const settings = ds.getRepository(SystemSettingRow);
  const canary = await settings.findOneBy({ key: CANARY_KEY });
  if (canary) {
    try {
      box.decrypt(canary.value, CANARY_REF);
    } catch (e) {
      if (!(e instanceof DecryptionError)) throw e;
      throw new EncryptionKeyMismatch(
        `CONNECTIONS_ENCRYPTION_KEY cannot decrypt the data already stored (it was encrypted with key ${box.keyIdOf(canary.value)}; ` +
          `this key is ${box.primaryKeyId}). Start with the original key, or pass it in CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS while rotating.`,
      );
    }
  }
  const samples = [
    ...(await ds
      .getRepository(ServiceRow)
      .createQueryBuilder('s')
      .select('s.clientSecretEncrypted', 'v')
      .where('s.clientSecretEncrypted IS NOT NULL')
      .limit(50)
      .getRawMany<{ v: string }>()),
    ...(await ds
      .getRepository(AuthorizationRow)
      .createQueryBuilder('a')
      .select('a.credentialsEncrypted', 'v')
      .where('a.credentialsEncrypted IS NOT NULL')
      .limit(50)
      .getRawMany<{ v: string }>()),
  ];
  const unknown = new Set<string>();
  for (const { v } of samples) {
    const id = box.keyIdOf(v);
    if (!id || !box.hasKey(id)) unknown.add(id ?? '?');
  }
  if (unknown.size > 0)
    throw new EncryptionKeyMismatch(
      `Stored secrets were encrypted with key(s) ${[...unknown].join(', ')}, which this deployment does not have. ` +
        'Set CONNECTIONS_ENCRYPTION_KEY (or CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS) to the key that wrote them.',
    );
  await reencryptUnderPrimaryKey(ds, box, logger);
  if (!canary || box.keyIdOf(canary.value) !== box.primaryKeyId) {
    await settings.save({ key: CANARY_KEY, value: box.encrypt('connections', CANARY_REF) });
    if (canary)
      logger.info({ keyId: box.primaryKeyId }, 'encryption key rotated: new secrets use the new key');
  }
}

/**
 * Rotation: when previous keys are configured, secrets still under one of them are re-encrypted under the
 * primary key (each table in one transaction), so the previous keys can be dropped after one start.
 */
async function reencryptUnderPrimaryKey(ds: DataSource, box: SecretBox, logger: Logger): Promise<void> {
  if (!box.hasPreviousKeys()) return;
  const targets = [
    { entity: ServiceRow, table: 'service', column: 'clientSecret', field: 'clientSecretEncrypted' as const },
    {
      entity: AuthorizationRow,
      table: 'authorization',
      column: 'credentials',
      field: 'credentialsEncrypted' as const,
    },
  ];
  let count = 0;
  await ds.transaction(async (m) => {
    for (const t of targets) {
      const rows = await m
        .getRepository(t.entity)
        .createQueryBuilder('r')
        .select(['r.id', `r.${t.field}`])
        .where(`r.${t.field} IS NOT NULL`)
        .getMany();
      for (const row of rows as unknown as { id: string; [k: string]: unknown }[]) {
        const stored = row[t.field] as string;
        if (box.keyIdOf(stored) === box.primaryKeyId) continue;
        const ref = { table: t.table, column: t.column, rowId: row.id };
        await m
          .getRepository(t.entity)
          .update({ id: row.id }, { [t.field]: box.encrypt(box.decrypt(stored, ref), ref) });
        count++;
      }
    }
  });
  if (count > 0)
    logger.info(
      { count, keyId: box.primaryKeyId },
      're-encrypted stored secrets under the new encryption key',
    );
}
