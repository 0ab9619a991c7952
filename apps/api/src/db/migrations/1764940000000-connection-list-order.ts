import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

// The connection list reads a workspace's connections newest first, a page at a time: with this index the
// database walks them in that order and stops after the page, instead of reading and sorting every connection
// of the workspace for each page (issue 15). Table API only: the same on SQLite and PostgreSQL.
export class ConnectionListOrder1764940000000 implements MigrationInterface {
  name = 'ConnectionListOrder1764940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'connection',
      new TableIndex({
        name: 'IDX_connection_workspace_created',
        columnNames: ['workspaceId', 'createdAt', 'id'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('connection', 'IDX_connection_workspace_created');
  }
}
