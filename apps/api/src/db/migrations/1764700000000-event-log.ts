import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

// The durable event log: a per-workspace cursor counter on the workspace row and one row per authorization
// event, so a subscriber can resume after a cursor and a poller can page. Existing events stay in the audit
// log only (they have no cursor): the log starts empty. Table API only, so the same migration runs on SQLite
// and PostgreSQL.
export class EventLog1764700000000 implements MigrationInterface {
  name = 'EventLog1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const date = q.connection.driver.normalizeType({ type: Date });
    const str = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    await q.addColumn('workspace', new TableColumn({ name: 'eventCursor', type: 'bigint', default: 0 }));
    await q.createTable(
      new Table({
        name: 'authorization_event',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('workspaceId', 36),
          { name: 'cursor', type: 'bigint' },
          str('type', 32),
          str('connectionId', 36),
          str('extensionId', 36, true),
          str('linkName', 50),
          str('ownerId', 36),
          str('principalId', 36),
          str('principalEmail', 254),
          str('principalName', 80),
          str('actorId', 36, true),
          str('status', 32),
          str('attemptId', 36, true),
          str('message', 500),
          { name: 'at', type: date },
        ],
        indices: [
          new TableIndex({ columnNames: ['workspaceId', 'cursor'], isUnique: true }),
          new TableIndex({ columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('authorization_event');
    await q.dropColumn('workspace', 'eventCursor');
  }
}
