import path from 'node:path';
import { Client } from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { Config } from '../config';
import { withStartupLock } from './advisory-lock';
import { entities } from './entities';
import { ensurePrivateDir, ensurePrivateFile } from './private-files';
import { Initial1764300000000 } from './migrations/1764300000000-initial';
import { ConnectFlows1764400000000 } from './migrations/1764400000000-connect-flows';
import { ServiceAuthorizeParams1764500000000 } from './migrations/1764500000000-service-authorize-params';
import { AttemptFlowState1764610000000 } from './migrations/1764610000000-attempt-flow-state';
import { EventLog1764700000000 } from './migrations/1764700000000-event-log';
import { Webhooks1764800000000 } from './migrations/1764800000000-webhooks';
import { ConnectionAccess1764900000000 } from './migrations/1764900000000-connection-access';
import { RefreshState1764920000000 } from './migrations/1764920000000-refresh-state';
import { ExtensionKeyVersion1764930000000 } from './migrations/1764930000000-extension-key-version';
import { ServiceTenantHost1764950000000 } from './migrations/1764950000000-service-tenant-host';
import { ConnectionHealth1764960000000 } from './migrations/1764960000000-connection-health';
import { AuditOutcome1764970000000 } from './migrations/1764970000000-audit-outcome';
import { ConnectionListOrder1764940000000 } from './migrations/1764940000000-connection-list-order';
import { ServiceClientCredentials1764990000000 } from './migrations/1764990000000-service-client-credentials';
import { AuditRedundantIndex1765000000000 } from './migrations/1765000000000-audit-redundant-index';

export const migrations = [
  Initial1764300000000,
  ConnectFlows1764400000000,
  ServiceAuthorizeParams1764500000000,
  AttemptFlowState1764610000000,
  EventLog1764700000000,
  Webhooks1764800000000,
  ConnectionAccess1764900000000,
  RefreshState1764920000000,
  ExtensionKeyVersion1764930000000,
  ConnectionListOrder1764940000000,
  ServiceTenantHost1764950000000,
  ConnectionHealth1764960000000,
  AuditOutcome1764970000000,
  ServiceClientCredentials1764990000000,
  AuditRedundantIndex1765000000000,
];

/** Counts every SQL statement the process sends; tests use it to prove list queries do not grow with page size. */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export function createDataSource(config: Config, counter = new QueryCounter()): DataSource {
  const common = {
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logger: counter,
    logging: ['query' as const],
  };
  if (config.database.type === 'sqlite') {
    // Nobody but this user reads the database: directory 0700 when created here, files 0600.
    ensurePrivateDir(path.dirname(config.database.file));
    ensurePrivateFile(config.database.file, ['-wal', '-shm', '-journal']);
    return new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: config.database.file,
      // WAL lets readers run beside the single writer; the busy timeout waits out a writer instead of failing.
      enableWAL: true,
      timeout: 5000,
    });
  }
  // A non-default schema is selected through search_path, so raw SQL fragments resolve the same tables
  // that the entities do.
  const schema = config.database.schema;
  return new DataSource({
    ...common,
    type: 'postgres',
    url: config.database.url,
    extra: { max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) },
  });
}

export async function openDatabase(config: Config, counter?: QueryCounter): Promise<DataSource> {
  if (config.database.type === 'postgres' && config.database.schema) {
    const client = new Client({ connectionString: config.database.url });
    await client.connect();
    try {
      await client
        .query(`CREATE SCHEMA IF NOT EXISTS "${config.database.schema}"`)
        .catch((e: { code?: string }) => {
          // Replicas starting together race on IF NOT EXISTS: the loser sees a unique violation, and the schema.
          if (e.code !== '23505' && e.code !== '42P06') throw e;
        });
    } finally {
      await client.end();
    }
  }
  const ds = createDataSource(config, counter);
  await ds.initialize();
  return ds;
}

/**
 * Migrates, then runs `fn` (the first admin's bootstrap, the key check), as one step that replicas starting
 * together on PostgreSQL take in turn (an advisory lock): the first one migrates and bootstraps, the others
 * wait and then find nothing left to do. SQLite is one process's file: nothing to take turns with.
 */
export async function prepareDatabase<T>(config: Config, ds: DataSource, fn: () => Promise<T>): Promise<T> {
  const steps = async () => {
    await ds.runMigrations({ transaction: 'each' });
    return fn();
  };
  if (config.database.type === 'sqlite') return steps();
  return withStartupLock(config.database.url, config.database.schema, steps);
}
