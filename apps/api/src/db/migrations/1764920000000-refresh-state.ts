import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

// What token refresh needs to know without decrypting credentials: whether there is a refresh token, when the
// token is due, a refresh in flight (REFRESHING), the transient-failure backoff shared by every replica, and
// when the authorization was last used (the background refresh). Table API only, so the same migration runs
// on SQLite and PostgreSQL. Rows stored before it learn hasRefreshToken and refreshDueAt at the next start
// (RefreshMaintenance.backfill decrypts them once); rows without credentials have no refresh token.
export class RefreshState1764920000000 implements MigrationInterface {
  name = 'RefreshState1764920000000';

  async up(q: QueryRunner): Promise<void> {
    const d = q.connection.driver;
    const date = d.normalizeType({ type: Date });
    const bool = d.normalizeType({ type: 'boolean' });
    const nullableDate = (name: string) => new TableColumn({ name, type: date, isNullable: true });
    await q.addColumns('authorization', [
      new TableColumn({ name: 'hasRefreshToken', type: bool, isNullable: true }),
      nullableDate('refreshDueAt'),
      nullableDate('refreshStartedAt'),
      new TableColumn({ name: 'refreshFailures', type: 'integer', default: 0 }),
      nullableDate('nextRefreshAt'),
      nullableDate('lastUsedAt'),
    ]);
    await q.createIndex('authorization', new TableIndex({ columnNames: ['refreshDueAt'] }));
    await q.query(
      `UPDATE "authorization" SET "hasRefreshToken" = ${d.options.type === 'postgres' ? 'false' : '0'} WHERE "credentialsEncrypted" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const table = await q.getTable('authorization');
    const index = table?.indices.find(
      (i) => i.columnNames.length === 1 && i.columnNames[0] === 'refreshDueAt',
    );
    if (index) await q.dropIndex('authorization', index);
    for (const c of ['lastUsedAt', 'nextRefreshAt', 'refreshFailures', 'refreshStartedAt', 'refreshDueAt'])
      await q.dropColumn('authorization', c);
    await q.dropColumn('authorization', 'hasRefreshToken');
  }
}
