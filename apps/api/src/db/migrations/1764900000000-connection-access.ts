import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

// Who may use a connection (an optional list of named members) and when it was created for everyone (its first
// successful authorization). Every existing connection was listed before this change, so it counts as
// established from its creation. Table API only, so the same migration runs on SQLite and PostgreSQL.
export class ConnectionAccess1764900000000 implements MigrationInterface {
  name = 'ConnectionAccess1764900000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    await q.addColumn(
      'connection',
      new TableColumn({ name: 'restrictedTo', type: 'text', isNullable: true }),
    );
    await q.addColumn('connection', new TableColumn({ name: 'establishedAt', type: date, isNullable: true }));
    await q.query(`UPDATE "connection" SET "establishedAt" = "createdAt"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('connection', 'establishedAt');
    await q.dropColumn('connection', 'restrictedTo');
  }
}
