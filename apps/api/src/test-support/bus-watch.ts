import type { Client } from 'graphql-ws';
import type { RunningServer } from '../server';

/**
 * What a test needs to know before it acts on a GraphQL subscription: that the server listens. graphql-ws
 * acknowledges a connection, never a subscription, and setting one up may read the database first (a
 * connection filter is checked), so a round trip on the socket proves nothing. The server runs in the
 * test's process: count the subscriptions it makes on its event bus.
 */
export interface BusWatch {
  /** Subscriptions made on the server's event bus since the watch began. */
  subscriptions(): number;
  /** Runs `settle` after every earlier one on this server: one subscription settles at a time, so a new count is its own. */
  exclusive<T>(settle: () => Promise<T>): Promise<T>;
}

type Bus = RunningServer['services']['bus'];
const watches = new WeakMap<Bus, BusWatch>();
const clients = new WeakMap<Client, BusWatch>();

function watchBus(bus: Bus): BusWatch {
  const existing = watches.get(bus);
  if (existing) return existing;
  let count = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const subscribe = bus.subscribe;
  bus.subscribe = ((...args: unknown[]) => {
    count += 1;
    return Reflect.apply(subscribe, bus, args);
  }) as Bus['subscribe'];
  const watch: BusWatch = {
    subscriptions: () => count,
    exclusive: (settle) => {
      const run = queue.then(settle, settle);
      queue = run.catch(() => {});
      return run;
    },
  };
  watches.set(bus, watch);
  return watch;
}

/** Ties a graphql-ws client to the server it talks to, so that subscribeEvents can tell when the server listens. */
export function watchedClient(client: Client, server: RunningServer): Client {
  clients.set(client, watchBus(server.services.bus));
  return client;
}

export function busWatchFor(client: Client): BusWatch | undefined {
  return clients.get(client);
}
