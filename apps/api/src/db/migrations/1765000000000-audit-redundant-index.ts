import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

// audit_event's index on connectionId alone is the leading column of two others ((connectionId, createdAt) and
// (connectionId, action, createdAt)), which serve every lookup it served. Each index is one more B-tree
// insert for every audit row, and invocations write one row per call (issue 15). Found by its columns: its
// name was generated. Table API only, so the same migration runs on SQLite and PostgreSQL.
export class AuditRedundantIndex1765000000000 implements MigrationInterface {
  name = 'AuditRedundantIndex1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const table = await q.getTable('audit_event');
    const single = table?.indices.find((i) => i.columnNames.join() === 'connectionId');
    if (table && single) await q.dropIndex(table, single);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex('audit_event', new TableIndex({ columnNames: ['connectionId'] }));
  }
}
