import fs from 'node:fs';
import path from 'node:path';
import {
  AuthorizationAttemptRow,
  AuthorizationRow,
  AuditEventRow,
  ConnectionRow,
  ServiceRow,
} from '../db/entities';
import type { TestServer } from './server';

/** Row counts of what a connect may create; equal before and after a refused one. */
export async function rowCounts(t: TestServer) {
  const ds = t.server.ds;
  return {
    services: await ds.getRepository(ServiceRow).count(),
    connections: await ds.getRepository(ConnectionRow).count(),
    authorizations: await ds.getRepository(AuthorizationRow).count(),
    attempts: await ds.getRepository(AuthorizationAttemptRow).count(),
    auditEvents: await ds.getRepository(AuditEventRow).count(),
  };
}

/** Every row of every table, as text (both databases). */
export async function dumpDatabase(t: TestServer): Promise<string> {
  const ds = t.server.ds;
  const parts: string[] = [];
  for (const meta of ds.entityMetadatas)
    parts.push(meta.tableName, JSON.stringify(await ds.getRepository(meta.target).find()));
  return parts.join('\n');
}

/** The bytes of the SQLite database and its write-ahead log (empty on PostgreSQL). */
export function sqliteFileBytes(t: TestServer): Buffer {
  if (t.db !== 'sqlite') return Buffer.alloc(0);
  const file = path.join(t.dataDir, 'connections.sqlite');
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}
