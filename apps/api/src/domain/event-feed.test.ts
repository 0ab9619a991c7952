import { createPubSub } from '@graphql-yoga/subscription';
import type { AuthorizationEventPayload } from './authorization-events';
import { encodeCursor } from './event-cursor';
import { followEvents, type StreamFailure } from './event-feed';
import type { EventLog } from './event-log';

// The seam logic against an in-memory log and bus: what a database and Redis would make hard to stage
// (a live event overtaking an earlier one, a lost publish, a reader slower than the writers).

const WS = '00000000-0000-4000-8000-000000000001';

function event(seq: number, extra: Partial<AuthorizationEventPayload> = {}): AuthorizationEventPayload {
  return {
    id: `e${seq}`,
    type: 'REAUTHORIZED' as AuthorizationEventPayload['type'],
    workspaceId: WS,
    connectionId: 'c',
    extensionId: null,
    linkName: 'ledger',
    ownerId: 'u',
    principal: { id: 'u', email: 'u@example.com', displayName: 'u' },
    actorId: 'u',
    status: 'CONNECTED',
    attemptId: null,
    at: new Date(),
    message: '',
    seq,
    cursor: encodeCursor(WS, seq),
    ...extra,
  };
}

/** A log of `stored` committed events; `commit` adds one (not yet published). */
function memoryLog(stored: AuthorizationEventPayload[]) {
  const reads: [number, number][] = [];
  const log = {
    head: async () => stored.length,
    read: async (_ws: string, after: number, upTo: number, _f: unknown, limit: number) => {
      reads.push([after, upTo]);
      return stored.filter((e) => e.seq > after && e.seq <= upTo).slice(0, limit);
    },
    assertRetained: async () => {},
  } as unknown as EventLog;
  return { log, reads, commit: (e: AuthorizationEventPayload) => stored.push(e) };
}

async function take(stream: AsyncIterable<AuthorizationEventPayload | StreamFailure>, n: number) {
  const out: (AuthorizationEventPayload | StreamFailure)[] = [];
  const it = stream[Symbol.asyncIterator]();
  while (out.length < n) out.push((await it.next()).value);
  return { out, it };
}

const seqs = (items: unknown[]) => items.map((e) => (e as AuthorizationEventPayload).seq);

test('replays after the cursor, skips live copies of what it replayed, and fills a gap from the log', async () => {
  const stored = [1, 2, 3].map((n) => event(n));
  const { log, reads, commit } = memoryLog(stored);
  const bus = createPubSub<{ E: [AuthorizationEventPayload] }>();
  const stream = await followEvents(log, () => bus.subscribe('E'), {
    workspaceId: WS,
    filter: {},
    after: encodeCursor(WS, 1),
    visible: () => true,
  });
  const reading = take(stream, 5);
  await new Promise((r) => setImmediate(r));
  // 3 is published late (already replayed); 5 overtakes 4, whose publish is lost: 4 comes from the log.
  bus.publish('E', stored[2]!);
  commit(event(4));
  commit(event(5));
  bus.publish('E', stored[4]!);
  commit(event(6));
  bus.publish('E', stored[5]!);
  const { out, it } = await reading;
  expect(seqs(out)).toEqual([2, 3, 4, 5, 6]);
  expect(reads).toContainEqual([3, 4]);
  await it.return?.();
});

test('without a cursor: what commits after the subscription began, in order; other workspaces never', async () => {
  const { log, commit } = memoryLog([event(1)]);
  const bus = createPubSub<{ E: [AuthorizationEventPayload] }>();
  const stream = await followEvents(log, () => bus.subscribe('E'), {
    workspaceId: WS,
    filter: { types: ['REVOKED' as AuthorizationEventPayload['type']] },
    visible: (e) => e.actorId !== 'hidden',
  });
  const reading = take(stream, 2);
  await new Promise((r) => setImmediate(r));
  bus.publish('E', event(7, { workspaceId: 'other' }));
  for (const [seq, extra] of [
    [2, { type: 'REVOKED' }],
    [3, {}],
    [4, { type: 'REVOKED', actorId: 'hidden' }],
    [5, { type: 'REVOKED' }],
  ] as const) {
    const e = event(seq, extra as Partial<AuthorizationEventPayload>);
    commit(e);
    bus.publish('E', e);
  }
  const { out, it } = await reading;
  expect(seqs(out)).toEqual([2, 5]);
  await it.return?.();
});

test('a reader that falls far behind loses nothing: what its buffer dropped is read back from the log', async () => {
  const { log, commit } = memoryLog([]);
  const bus = createPubSub<{ E: [AuthorizationEventPayload] }>();
  const stream = await followEvents(log, () => bus.subscribe('E'), {
    workspaceId: WS,
    filter: {},
    visible: () => true,
  });
  const it = stream[Symbol.asyncIterator]();
  const first = it.next();
  await new Promise((r) => setImmediate(r));
  // 12,000 events while the reader reads one: published in bursts, as AuthorizationEvents.publish does.
  for (let seq = 1; seq <= 12_000; seq++) {
    commit(event(seq));
    bus.publish('E', event(seq));
    if (seq % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  const items = [(await first).value];
  while (items.length < 12_000) items.push((await it.next()).value);
  expect(seqs(items)).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1));
  await it.return?.();
});

test('unsubscribing stops listening on the bus', async () => {
  const { log } = memoryLog([]);
  const target = new EventTarget();
  const bus = createPubSub<{ E: [AuthorizationEventPayload] }>({ eventTarget: target });
  let listening = 0;
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => (
    listening++,
    add(...args)
  );
  target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => (
    listening--,
    remove(...args)
  );
  const stream = await followEvents(log, () => bus.subscribe('E'), {
    workspaceId: WS,
    filter: {},
    visible: () => true,
  });
  expect(listening).toBe(1);
  const it = stream[Symbol.asyncIterator]();
  const pending = it.next();
  await new Promise((r) => setImmediate(r));
  await it.return?.();
  await pending;
  await new Promise((r) => setImmediate(r));
  expect(listening).toBe(0);
});
