import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/** A SELECT's result as arrays, with the index of each column name (`<alias>_<column>`). */
export interface RowSet {
  index: ReadonlyMap<string, number>;
  rows: readonly (readonly unknown[])[];
}

// Prepared list statements per SQLite database; the few shapes a list takes (filters, orders) stay prepared.
const MAX_STATEMENTS = 64;
const prepared = new WeakMap<
  Database,
  Map<string, { statement: Statement<unknown[]>; index: Map<string, number> }>
>();

function sqliteStatement(db: Database, sql: string) {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = new Map()));
  let entry = cache.get(sql);
  if (!entry) {
    const statement = db.prepare<unknown[]>(sql).raw(true);
    entry = { statement, index: new Map(statement.columns().map((c, i) => [c.name, i])) };
    // Oldest first out: a Map keeps insertion order.
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(sql, entry);
  }
  return entry;
}

/**
 * Runs a SELECT built by TypeORM (`getQueryAndParameters()`) and returns its rows as arrays. On SQLite the
 * statement runs in better-sqlite3's raw mode: building a JavaScript object with named properties for each row
 * cost more than the query itself on a list page of 100 rows and 28 columns (issue 15). Counted by the query
 * logger like any other statement. On the same single connection TypeORM uses, so it reads what TypeORM would.
 */
export async function selectRows(ds: DataSource, sql: string, params: readonly unknown[]): Promise<RowSet> {
  // better-sqlite3 cannot bind booleans (as TypeORM's runner does, 0/1).
  const bound = params.map((p) => (typeof p === 'boolean' ? Number(p) : p));
  if (ds.options.type === 'better-sqlite3') {
    ds.logger.logQuery(sql, bound);
    const { statement, index } = sqliteStatement(
      (ds.driver as unknown as { databaseConnection: Database }).databaseConnection,
      sql,
    );
    return { index, rows: statement.all(...bound) as unknown[][] };
  }
  const objects: Record<string, unknown>[] = await ds.query(sql, [...params]);
  const names = objects.length ? Object.keys(objects[0]!) : [];
  return {
    index: new Map(names.map((n, i) => [n, i])),
    rows: objects.map((o) => names.map((n) => o[n])),
  };
}
