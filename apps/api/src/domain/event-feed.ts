import { Repeater } from '@graphql-yoga/subscription';
import { badInput } from '../errors';
import type { AuthorizationEventPayload } from './authorization-events';
import { decodeCursor, encodeCursor } from './event-cursor';
import { type EventFilter, type EventLog, matchesFilter } from './event-log';
import { LiveBuffer } from './live-buffer';
import { MAX_PAGE_SIZE } from './pagination';

type Event = AuthorizationEventPayload;

/** A stream item that ends the subscription with this error (the resolver throws it). */
export interface StreamFailure {
  failure: Error;
}

export interface FollowQuery {
  workspaceId: string;
  filter: EventFilter;
  /** The client's cursor; absent: from now on. */
  after?: string | null;
  /**
   * Whether the viewer may see an event (canSeeEvent, for whoever the socket is now); a promise when it has to
   * read the event's connection first.
   */
  visible: (e: Event) => boolean | Promise<boolean>;
}

const READ_BATCH = 200;
/** Live events held while replaying or while the client reads slowly; past it the oldest are read back later. */
const LIVE_BUFFER_LIMIT = 10_000;
/** Rows one authorizationEventsPage call may look at, whatever the viewer may see of them. */
const PAGE_SCAN_LIMIT = 2_000;

/**
 * authorizationEvents: every event after the cursor (or from now on), stored then live, each once and in
 * cursor order. The seam: subscribe to the bus first and buffer, read the counter (everything up to it has
 * committed, see EventLog), replay the log up to it, then drain the buffer skipping cursors already covered.
 * Errors about the cursor are thrown here, before any event; later ones end the stream as a StreamFailure.
 */
export async function followEvents(
  log: EventLog,
  subscribe: () => AsyncIterable<Event>,
  q: FollowQuery,
): Promise<AsyncIterable<Event | StreamFailure>> {
  const ws = q.workspaceId;
  // From now on: what commits after this read is after "now", whether it reaches the bus before the
  // subscription below listens or after.
  const after = q.after ? decodeCursor(ws, q.after) : await log.head(ws);
  const live = new LiveBuffer(subscribe(), (e) => e.workspaceId === ws, LIVE_BUFFER_LIMIT);
  let head: number;
  try {
    head = await log.head(ws);
    if (after > head) throw badInput('after', 'is not an authorization event cursor of this workspace');
    if (q.after) await log.assertRetained(ws, after, head);
  } catch (e) {
    live.close();
    throw e;
  }
  return new Repeater<Event | StreamFailure>((push, stop) =>
    relay({ log, live, q, after, head }, push, stop),
  );
}

interface Seam {
  log: EventLog;
  live: LiveBuffer<Event>;
  q: FollowQuery;
  /** Where the client is: every event up to it is behind it. */
  after: number;
  /** The counter once the bus listened: replayed from the log, what is above it comes live. */
  head: number;
}

/**
 * Replays (after, head] from the log, then relays live events. A live event whose cursor jumps ahead of the
 * last one covered (another replica's publish overtook an earlier one, a Redis blip lost one, the buffer
 * dropped one) means those in between have committed: they are read from the log first.
 */
async function relay(
  { log, live, q, after, head }: Seam,
  push: (e: Event | StreamFailure) => Promise<unknown>,
  stop: Promise<unknown> & (() => void),
): Promise<void> {
  const ws = q.workspaceId;
  let stopped = false;
  void stop.then(() => ((stopped = true), live.close()));
  let position = after;
  const send = async (e: Event) => {
    if (!stopped && matchesFilter(e, q.filter) && (await q.visible(e))) await push(e);
  };
  /** Sends what the log holds in (position, upTo]. */
  const catchUp = async (upTo: number) => {
    while (position < upTo && !stopped) {
      const batch = await log.read(ws, position, upTo, q.filter, READ_BATCH);
      for (const e of batch) await send(e);
      position = batch.length < READ_BATCH ? upTo : batch[batch.length - 1]!.seq;
    }
  };
  try {
    await catchUp(head);
    // Retention may have run while replaying: nothing after `after` may be missing from what was sent.
    if (q.after) await log.assertRetained(ws, after, head);
    for (let e = await live.take(); e && !stopped; e = await live.take()) {
      // Cursor-less events come from a replica that predates the log: it would not have counted them.
      if (typeof e.seq !== 'number' || e.seq <= position) continue;
      if (e.seq > position + 1) await catchUp(e.seq - 1);
      await send(e);
      position = e.seq;
    }
  } catch (error) {
    if (!stopped) await push({ failure: error as Error });
  } finally {
    live.close();
  }
  stop();
}

export interface EventPage {
  nodes: Event[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

/**
 * authorizationEventsPage: up to `first` events after the cursor (from the oldest kept without one) that the
 * viewer may see, oldest first. Reads only up to the counter's committed value, so a poller that continues from
 * endCursor never passes over an event still being committed. endCursor is where the scan stopped, visible or
 * not, so a poller does not rescan what it may not see; at most PAGE_SCAN_LIMIT rows are looked at per call.
 */
export async function eventPage(
  log: EventLog,
  q: Omit<FollowQuery, 'after'> & { after?: string | null; first: number },
): Promise<EventPage> {
  if (!Number.isInteger(q.first) || q.first < 1 || q.first > MAX_PAGE_SIZE)
    throw badInput('first', `must be 1 to ${MAX_PAGE_SIZE}`);
  const ws = q.workspaceId;
  const head = await log.head(ws);
  let position = 0;
  if (q.after) {
    position = decodeCursor(ws, q.after);
    if (position > head) throw badInput('after', 'is not an authorization event cursor of this workspace');
    await log.assertRetained(ws, position, head);
  }
  const nodes: Event[] = [];
  const page = (hasNextPage: boolean) => ({
    nodes,
    pageInfo: { hasNextPage, endCursor: encodeCursor(ws, position) },
  });
  for (let scanned = 0; ;) {
    const batch = await log.read(ws, position, head, q.filter, READ_BATCH);
    let i = 0;
    for (; i < batch.length && nodes.length < q.first; i++) {
      position = batch[i]!.seq;
      if (await q.visible(batch[i]!)) nodes.push(batch[i]!);
    }
    scanned += i;
    if (i === batch.length && batch.length < READ_BATCH) {
      position = head;
      return page(false);
    }
    if (nodes.length >= q.first || scanned >= PAGE_SCAN_LIMIT) return page(true);
  }
}
