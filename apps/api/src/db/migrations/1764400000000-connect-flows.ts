import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

// Connect flows: one row per authorization attempt, who installed an extension, and where a custom
// service's upstream account is read. Table API only, so the
// same migration runs on SQLite and PostgreSQL.
export class ConnectFlows1764400000000 implements MigrationInterface {
  name = 'ConnectFlows1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const d = q.connection.driver;
    const date = d.normalizeType({ type: Date });
    const id = (name: string, nullable = false) => ({
      name,
      type: 'varchar',
      length: '36',
      isNullable: nullable,
    });
    await q.createTable(
      new Table({
        name: 'authorization_attempt',
        columns: [
          { ...id('id'), isPrimary: true },
          id('workspaceId'),
          id('connectionId'),
          id('authorizationId'),
          id('principalId'),
          id('userId'),
          { name: 'codeHash', type: 'varchar', length: '64', isNullable: true },
          { name: 'expiresAt', type: date },
          { name: 'openedAt', type: date, isNullable: true },
          { name: 'completedAt', type: date, isNullable: true },
          { name: 'outcome', type: 'varchar', length: '16', isNullable: true },
          {
            name: 'createdAt',
            type: d.mappedDataTypes.createDate as string,
            default: d.mappedDataTypes.createDateDefault,
          },
          {
            name: 'updatedAt',
            type: d.mappedDataTypes.updateDate as string,
            default: d.mappedDataTypes.updateDateDefault,
          },
        ],
        indices: [new TableIndex({ columnNames: ['connectionId'] })],
      }),
    );
    await q.addColumn(
      'service',
      new TableColumn({ name: 'profileUrl', type: 'varchar', length: '2048', isNullable: true }),
    );
    await q.addColumns('extension', [
      new TableColumn({ name: 'description', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn(id('installedById', true)),
      new TableColumn({ name: 'installedAt', type: date, isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('extension', ['description', 'installedById', 'installedAt']);
    await q.dropColumn('service', 'profileUrl');
    await q.dropTable('authorization_attempt');
  }
}
