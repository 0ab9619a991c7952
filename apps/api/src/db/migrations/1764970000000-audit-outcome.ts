import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

// The activity log filters by outcome (SUCCESS, FAILURE, or neither): a column written with each event,
// and an index for a connection's log read newest first. Existing rows are classified here with the rule of
// domain/audit-outcome.ts as it stood when this migration was written (migrations do not change): calls by
// the outcome recorded in their metadata (JSON text, matched with LIKE: the same on SQLite and PostgreSQL).
export class AuditOutcome1764970000000 implements MigrationInterface {
  name = 'AuditOutcome1764970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'audit_event',
      new TableColumn({ name: 'outcome', type: 'varchar', length: '16', isNullable: true }),
    );
    const failed = ['DENIED', 'FAILED', 'REFRESH_FAILED', 'NEEDS_REAUTH', 'SCOPES_MISSING'];
    const neutral = ['REVOKED', 'DELETED', 'ACCOUNT_CHANGED'];
    const list = (types: string[]) => types.map((t) => `'authorization.${t}'`).join(', ');
    await q.query(
      `UPDATE "audit_event" SET "outcome" = CASE
         WHEN "action" = 'connection.invoked' THEN
           CASE WHEN "metadata" LIKE '%"outcome":"2%' OR "metadata" LIKE '%"outcome":"3%' THEN 'SUCCESS'
                ELSE 'FAILURE' END
         WHEN "action" IN (${list(failed)}) THEN 'FAILURE'
         WHEN "action" IN (${list(neutral)}) OR "action" = 'connection.expired' THEN NULL
         WHEN "action" LIKE '%\\_failed' ESCAPE '\\' THEN 'FAILURE'
         ELSE 'SUCCESS' END`,
    );
    await q.createIndex(
      'audit_event',
      new TableIndex({
        name: 'IDX_audit_event_connection_created',
        columnNames: ['connectionId', 'createdAt'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('audit_event', 'IDX_audit_event_connection_created');
    await q.dropColumn('audit_event', 'outcome');
  }
}
