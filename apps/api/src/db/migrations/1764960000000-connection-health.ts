import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

// Health at a glance: a connection's last call, last successful call and its calls over 24 hours are read
// from its `connection.invoked` audit events, for a whole page of connections in one statement
// (domain/connection-health.ts). Each part is a seek or a short range on (connectionId, action, createdAt):
// the newest call, the calls since a time. Custom OAuth 2.0 services also gain the two options the flows
// already honour for catalog services: the token endpoint's client authentication and PKCE (off only when
// stored false). Table API only: the same on SQLite and PostgreSQL.
export class ConnectionHealth1764960000000 implements MigrationInterface {
  name = 'ConnectionHealth1764960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'audit_event',
      new TableIndex({
        name: 'IDX_audit_event_connection_action_created',
        columnNames: ['connectionId', 'action', 'createdAt'],
      }),
    );
    await q.addColumns('service', [
      new TableColumn({ name: 'tokenEndpointAuthMethod', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'pkce', type: 'boolean', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('service', 'pkce');
    await q.dropColumn('service', 'tokenEndpointAuthMethod');
    await q.dropIndex('audit_event', 'IDX_audit_event_connection_action_created');
  }
}
