/**
 * Drains a live subscription into memory from the moment it is created, so that nothing published meanwhile is
 * lost while the reader is busy elsewhere (replaying the log, or waiting on a slow socket). The bus's own
 * queue must not be left to fill: past 1,024 unread events it throws inside the publisher's dispatch.
 *
 * Bounded: past `limit` held events the oldest is dropped. The reader tells from the cursors that something
 * is missing and reads it back from the event log, which is why only what `keep` wants (the reader's
 * workspace) is held: the newest of those is never dropped, so a gap is always followed by an event that
 * reveals it.
 */
export class LiveBuffer<T> {
  private readonly items: T[] = [];
  private readonly source: AsyncIterator<T>;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    source: AsyncIterable<T>,
    private readonly keep: (item: T) => boolean,
    private readonly limit: number,
  ) {
    this.source = source[Symbol.asyncIterator]();
    // Its first next() runs now, synchronously: that is when the subscription starts listening.
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (let r = await this.source.next(); !r.done && !this.closed; r = await this.source.next()) {
        if (!this.keep(r.value)) continue;
        if (this.items.length >= this.limit) this.items.shift();
        this.items.push(r.value);
        this.wake?.();
      }
    } catch {
      // A failed bus ends the live part; the reader sees the end of the stream.
    }
    this.close();
  }

  /** The next event, waiting for one; undefined once closed and drained. */
  async take(): Promise<T | undefined> {
    while (!this.items.length && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.items.shift();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.source.return?.();
    this.wake?.();
  }
}
