import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

// A custom OAuth 2.0 service's grant (client_credentials, or null for the authorization code grant) and the
// extra token-request parameters the client credentials grant may need (audience, resource). Table API only,
// so the same migration runs on SQLite and PostgreSQL; existing rows keep the authorization code grant.
export class ServiceClientCredentials1764990000000 implements MigrationInterface {
  name = 'ServiceClientCredentials1764990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('service', [
      new TableColumn({ name: 'grantType', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'tokenParams', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('service', 'tokenParams');
    await q.dropColumn('service', 'grantType');
  }
}
