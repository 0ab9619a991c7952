import { AuthFlowError, type Lock } from '@connections/auth-flows';
import { Pool, type PoolClient } from 'pg';

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The refresh lock across replicas: a PostgreSQL session advisory lock, taken on a connection of a small
 * pool of its own. Why this and not a Redis lock: PostgreSQL releases the lock the moment the holder's
 * connection dies (kill -9, a crash, a network cut), so no TTL has to guess how long a refresh may take, and a
 * stale holder can never outlive its lock and overwrite a newer token; the stored token is re-read after the
 * lock is taken (RefreshCoordinator) and saved with a compare-and-set. Its own pool: a holder saves the new
 * tokens through the application's pool while holding this connection, so lock waiters can never use up the
 * connections that holders need to finish. Keys are global to the database: they name authorization ids,
 * which are unique across schemas.
 */
export class PostgresAdvisoryLock implements Lock {
  private readonly pool: Pool;

  constructor(
    url: string,
    private readonly waitTimeoutMs = 30_000,
  ) {
    this.pool = new Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000 });
    // An idle connection that breaks is replaced on next use; the pool must not crash the process.
    this.pool.on('error', () => {});
  }

  async withLock<T>(key: string, _ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let held = false;
    try {
      await this.acquire(client, key);
      held = true;
      return await fn();
    } finally {
      // A failed unlock means the connection is broken: the server already dropped the lock with it.
      const unlocked = held
        ? await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).then(
            () => true,
            () => false,
          )
        : true;
      client.release(!unlocked);
    }
  }

  private async acquire(client: PoolClient, key: string): Promise<void> {
    await client.query(`SET lock_timeout = ${Math.floor(this.waitTimeoutMs)}`);
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE)
        throw new AuthFlowError('LOCK_TIMEOUT', `Timed out waiting for the lock on ${key}`, {
          transient: true,
        });
      throw error;
    } finally {
      await client.query('RESET lock_timeout').catch(() => {});
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Runs `fn` (migrations, then the first admin's bootstrap) while holding a database-wide advisory lock, so
 * replicas starting at the same moment on an empty database take turns instead of colliding: the first one
 * migrates and bootstraps, the others then find both done. The key carries the schema, so deployments (or
 * tests) in different schemas of one database do not wait for each other.
 */
export async function withStartupLock<T>(url: string, schema: string | undefined, fn: () => Promise<T>) {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {});
  const client = await pool.connect();
  const key = `connections:startup:${schema ?? 'public'}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
    client.release();
    await pool.end();
  }
}
