import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

// Extra, non-secret authorize-request parameters of a custom service (prompt=consent, access_type=offline,
// audience...): the catalog has them per entry, a custom service needs them as data. Table API only, so the
// same migration runs on SQLite and PostgreSQL.
export class ServiceAuthorizeParams1764500000000 implements MigrationInterface {
  name = 'ServiceAuthorizeParams1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'service',
      new TableColumn({ name: 'authorizeParams', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('service', 'authorizeParams');
  }
}
