import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

// Webhook endpoints and their outbox (one row per event and endpoint). Table API only, so the same migration
// runs on SQLite and PostgreSQL.
export class Webhooks1764800000000 implements MigrationInterface {
  name = 'Webhooks1764800000000';

  async up(q: QueryRunner): Promise<void> {
    const d = q.connection.driver;
    const date = d.normalizeType({ type: Date });
    const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const int = (name: string, isNullable = false, dflt?: number): TableColumnOptions => ({
      name,
      type: 'integer',
      isNullable,
      ...(dflt === undefined ? {} : { default: dflt }),
    });
    const base: TableColumnOptions[] = [
      { ...str('id', 36), isPrimary: true },
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
    ];
    await q.createTable(
      new Table({
        name: 'webhook',
        columns: [
          ...base,
          str('workspaceId', 36),
          str('url', 2048),
          { name: 'types', type: 'text', isNullable: true },
          { name: 'connectionIds', type: 'text', isNullable: true },
          str('extensionId', 36, true),
          str('secretEncrypted', 255),
          str('status', 16),
          int('consecutiveFailures', false, 0),
          str('createdById', 36, true),
        ],
        indices: [new TableIndex({ columnNames: ['workspaceId'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_delivery',
        columns: [
          ...base,
          str('webhookId', 36),
          str('workspaceId', 36),
          str('eventId', 36, true),
          { name: 'eventCursor', type: 'bigint', isNullable: true },
          { name: 'payload', type: 'text' },
          str('status', 16),
          int('attempts', false, 0),
          { name: 'nextAttemptAt', type: date },
          { name: 'retryUntil', type: date },
          int('lastStatus', true),
          str('lastError', 500, true),
          int('durationMs', true),
          { name: 'deliveredAt', type: date, isNullable: true },
        ],
        indices: [
          new TableIndex({ columnNames: ['status', 'nextAttemptAt'] }),
          new TableIndex({ columnNames: ['webhookId', 'createdAt'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_delivery');
    await q.dropTable('webhook');
  }
}
