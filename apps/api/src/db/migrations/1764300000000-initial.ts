import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

// Written with TypeORM's Table API so the same migration runs on SQLite and PostgreSQL; column types come
// from the driver (datetime vs timestamp) rather than from dialect-specific SQL.
export class Initial1764300000000 implements MigrationInterface {
  name = 'Initial1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const d = q.connection.driver;
    const dateType = d.normalizeType({ type: Date });
    const id: TableColumnOptions = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
    const ref = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isNullable: nullable,
    });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const text = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'text',
      isNullable: nullable,
    });
    const date = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: dateType,
      isNullable: nullable,
    });
    const stamps: TableColumnOptions[] = [
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
    const table = async (
      name: string,
      columns: TableColumnOptions[],
      indices: { columnNames: string[]; isUnique?: boolean }[] = [],
      foreignKeys: { columnNames: string[]; referencedTableName: string; onDelete: string }[] = [],
    ) => {
      await q.createTable(
        new Table({
          name,
          columns: [id, ...columns, ...stamps],
          indices: indices.map((i) => new TableIndex(i)),
          foreignKeys: foreignKeys.map((f) => new TableForeignKey({ ...f, referencedColumnNames: ['id'] })),
        }),
      );
    };

    await q.createTable(
      new Table({
        name: 'system_setting',
        columns: [str('key', 64), text('value')].map((c, i) => (i === 0 ? { ...c, isPrimary: true } : c)),
      }),
    );
    await table('workspace', [str('name', 80)]);
    await table(
      'user',
      [str('email', 254), str('displayName', 80), str('passwordHash', 255)],
      [{ columnNames: ['email'], isUnique: true }],
    );
    await table(
      'membership',
      [ref('workspaceId'), ref('userId'), str('role', 16)],
      [{ columnNames: ['workspaceId', 'userId'], isUnique: true }, { columnNames: ['userId'] }],
      [{ columnNames: ['userId'], referencedTableName: 'user', onDelete: 'CASCADE' }],
    );
    await table(
      'session',
      [str('tokenHash', 64), ref('userId'), ref('workspaceId'), date('expiresAt')],
      [{ columnNames: ['tokenHash'], isUnique: true }],
    );
    await table(
      'api_token',
      [
        ref('workspaceId'),
        ref('userId'),
        str('name', 80),
        str('prefix', 16),
        str('tokenHash', 64),
        date('lastUsedAt', true),
        date('revokedAt', true),
      ],
      [{ columnNames: ['workspaceId'] }, { columnNames: ['tokenHash'], isUnique: true }],
    );
    await table(
      'service',
      [
        ref('workspaceId'),
        str('kind', 16),
        str('slug', 80),
        str('name', 80, true),
        str('authType', 16, true),
        str('paramType', 16, true),
        str('authorizeUrl', 2048, true),
        str('accessTokenUrl', 2048, true),
        str('requestTokenUrl', 2048, true),
        str('refreshUrl', 2048, true),
        str('revokeUrl', 2048, true),
        text('scopes', true),
        str('scopeDelimiter', 8, true),
        text('apiBaseUrls', true),
        str('apiKeyParamName', 128, true),
        str('clientId', 512, true),
        text('clientSecretEncrypted', true),
        ref('createdById', true),
      ],
      [{ columnNames: ['workspaceId', 'slug'], isUnique: true }],
    );
    await table(
      'connection',
      [
        ref('workspaceId'),
        str('name', 50),
        str('linkName', 50),
        ref('serviceId'),
        text('scopes'),
        {
          name: 'useLoginUserCredentials',
          type: d.normalizeType({ type: 'boolean' }),
          default: d.normalizeDefault({ default: false } as never),
        },
        ref('ownerId'),
        ref('extensionId', true),
        str('subdomain', 63, true),
      ],
      [
        { columnNames: ['workspaceId', 'linkName'], isUnique: true },
        { columnNames: ['serviceId'] },
        { columnNames: ['ownerId'] },
      ],
      [
        { columnNames: ['serviceId'], referencedTableName: 'service', onDelete: 'RESTRICT' },
        { columnNames: ['ownerId'], referencedTableName: 'user', onDelete: 'RESTRICT' },
      ],
    );
    await table(
      'authorization',
      [
        ref('workspaceId'),
        ref('connectionId'),
        ref('principalId'),
        str('status', 16),
        text('grantedScopes'),
        date('expiresAt', true),
        str('accountId', 255, true),
        str('accountName', 255, true),
        str('lastError', 1000, true),
        text('credentialsEncrypted', true),
        date('connectedAt', true),
      ],
      [{ columnNames: ['connectionId', 'principalId'], isUnique: true }, { columnNames: ['principalId'] }],
    );
    await table(
      'extension',
      [ref('workspaceId'), str('name', 80), text('connectionDefinitions'), ref('createdById')],
      [{ columnNames: ['workspaceId', 'name'], isUnique: true }],
    );
    await table(
      'audit_event',
      [
        ref('workspaceId'),
        ref('actorId', true),
        str('action', 64),
        str('targetType', 32),
        str('targetId', 64, true),
        ref('connectionId', true),
        str('message', 500),
        text('metadata', true),
      ],
      [{ columnNames: ['workspaceId', 'createdAt'] }, { columnNames: ['connectionId'] }],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_event',
      'extension',
      'authorization',
      'connection',
      'service',
      'api_token',
      'session',
      'membership',
      'user',
      'workspace',
      'system_setting',
    ])
      await q.dropTable(t);
  }
}
