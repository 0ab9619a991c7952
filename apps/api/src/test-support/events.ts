import type { Client } from 'graphql-ws';
import { busWatchFor } from './bus-watch';
import { waitFor } from './wait';

export interface EventLog {
  events: any[];
  /** Resolves with the first event matching `match` (already received or still to come). */
  waitFor(match: (e: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): void;
}

const SUBSCRIPTION = `subscription($connectionId: ID, $attemptId: ID) {
  authorizationEvents(connectionId: $connectionId, attemptId: $attemptId) {
    id type connectionId linkName status attemptId at message principal { id email }
  }
}`;

/** Subscribes to authorizationEvents and keeps what arrives; resolves once the server listens. */
export async function subscribeEvents(
  client: Client,
  variables: Record<string, unknown> = {},
): Promise<EventLog> {
  const events: any[] = [];
  const waiters: { match: (e: any) => boolean; resolve: (e: any) => void }[] = [];
  let failure: unknown;
  const watch = busWatchFor(client);
  if (!watch) throw new Error('subscribeEvents needs a client from t.ws() or cookieWsClient()');
  let stop = () => {};
  // graphql-ws has no "subscribed" signal: wait until the server has subscribed to its event bus (or refused).
  await watch.exclusive(async () => {
    const before = watch.subscriptions();
    stop = client.subscribe(
      { query: SUBSCRIPTION, variables },
      {
        next: (value) => {
          if (value.errors) failure = value.errors;
          const e = (value.data as any)?.authorizationEvents;
          if (!e) return;
          events.push(e);
          for (const w of [...waiters]) if (w.match(e)) w.resolve(e);
        },
        error: (e) => (failure = e),
        complete: () => {},
      },
    );
    await waitFor(() => failure !== undefined || watch.subscriptions() > before, {
      timeoutMs: 15_000,
      message: 'the server never subscribed to its event bus',
    });
  });
  return {
    events,
    waitFor: (match, timeoutMs = 15_000) => {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching event; failure: ${JSON.stringify(failure)}; got ${JSON.stringify(events)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    stop,
  };
}
