import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

// The OAuth dance's state moves from one process's memory to its attempt's row (encrypted), so that the
// provider's redirect can land on any replica. Table API only, so the same migration runs on SQLite and
// PostgreSQL.
export class AttemptFlowState1764610000000 implements MigrationInterface {
  name = 'AttemptFlowState1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'authorization_attempt',
      new TableColumn({ name: 'flowState', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('authorization_attempt', 'flowState');
  }
}
