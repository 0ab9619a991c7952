import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AuditEventRow } from '../db/entities';

export type AuditValues = Partial<AuditEventRow>;

export interface AuditQueueOptions {
  /** A batch is written at most this long after its first row was queued. */
  flushMs: number;
  /** A batch is written as soon as it holds this many rows. */
  batchSize?: number;
  /** Rows held while the database refuses them; past it the oldest are dropped (and logged). */
  maxPending?: number;
  logger: Logger;
}

// One INSERT's rows: 10 bound values each keeps a batch far below SQLite's and PostgreSQL's parameter limits.
const MAX_INSERT_ROWS = 500;
// createdAt and updatedAt take their column defaults: the time the row is written (at most flushMs late).
const COLUMNS = [
  'id',
  'workspaceId',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'connectionId',
  'message',
  'outcome',
  'metadata',
] as const;

/**
 * Write-behind for audit rows that record a call rather than a change (invocations): queued in memory and
 * inserted in batches, at most `flushMs` after they were queued or as soon as `batchSize` are waiting, and
 * on `close()` (shutdown, SIGTERM). A call then costs no INSERT of its own. What this gives up: a process
 * killed without a chance to close (kill -9, a crash, the machine lost) loses the rows of its last
 * `flushMs` at most. Audit rows of changes (authorization events, connection and service edits) never go
 * through here: they commit in the transaction of the change.
 *
 * Bounded: while the database refuses writes, up to `maxPending` rows are kept and retried on the next
 * flush; past that the oldest are dropped and counted in the error log, rather than growing without end.
 */
export class AuditQueue {
  private queue: AuditValues[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(
    private readonly ds: DataSource,
    private readonly options: AuditQueueOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.maxPending = options.maxPending ?? 20_000;
  }

  push(row: AuditValues): void {
    if (this.queue.length >= this.maxPending) {
      const dropped = this.queue.splice(0, this.queue.length - this.maxPending + 1).length;
      this.options.logger.error(
        { dropped },
        'audit rows dropped: the database has refused them for too long',
      );
    }
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
      // The timer alone does not keep a process alive: shutdown flushes through close().
      this.timer.unref();
    }
  }

  /** Writes every queued row; resolves once they are in the database (or have been put back after a failure). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One write at a time, in order: a flush asked for during another one runs after it.
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Flushes what is queued; a failure is retried once, then logged (the rows are lost with the process). */
  async close(): Promise<void> {
    await this.flush();
    if (this.queue.length) await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length)
      this.options.logger.error({ lost: this.queue.length }, 'audit rows could not be written before exit');
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * One multi-row INSERT with positional parameters in the driver's own placeholders (`?` on SQLite, `$n` on
   * PostgreSQL), its text built once per row count: written out rather than through the query builder, whose
   * per-row work was most of the remaining database time of a call, or TypeORM's named-parameter escaping,
   * a regular expression over the whole statement per batch (issue 15). `metadata` is stored as the entity's
   * simple-json column is.
   */
  private async insert(rows: AuditValues[]): Promise<void> {
    const values: unknown[] = [];
    for (const row of rows)
      for (const column of COLUMNS) {
        const value = row[column];
        values.push(column === 'metadata' && value != null ? JSON.stringify(value) : (value ?? null));
      }
    await this.ds.query(this.insertSql(rows.length), values);
  }

  private readonly statements = new Map<number, string>();

  private insertSql(rowCount: number): string {
    let sql = this.statements.get(rowCount);
    if (sql) return sql;
    let n = 0;
    const tuple = () => `(${COLUMNS.map(() => this.ds.driver.createParameter('', n++)).join(', ')})`;
    const tuples = Array.from({ length: rowCount }, tuple).join(', ');
    sql = `INSERT INTO "audit_event" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples}`;
    // Batches come in a few sizes (full ones, and what a flush interval gathered): bounded all the same.
    if (this.statements.size < 64) this.statements.set(rowCount, sql);
    return sql;
  }

  private async write(): Promise<void> {
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    let i = 0;
    try {
      for (; i < batch.length; i += MAX_INSERT_ROWS) await this.insert(batch.slice(i, i + MAX_INSERT_ROWS));
    } catch (err) {
      // What was not written goes back in front of what arrived meanwhile, within the bound; the next flush
      // retries it.
      const unwritten = batch.slice(i);
      this.queue = [...unwritten, ...this.queue].slice(-this.maxPending);
      this.options.logger.error({ err, rows: unwritten.length }, 'could not write audit rows; will retry');
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
        this.timer.unref();
      }
    }
  }
}
