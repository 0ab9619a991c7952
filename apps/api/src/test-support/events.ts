import type { Client } from 'graphql-ws';

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

/** Subscribes to authorizationEvents and keeps what arrives; resolves once the server acknowledged. */
export async function subscribeEvents(
  client: Client,
  variables: Record<string, unknown> = {},
): Promise<EventLog> {
  const events: any[] = [];
  const waiters: { match: (e: any) => boolean; resolve: (e: any) => void }[] = [];
  let failure: unknown;
  const stop = client.subscribe(
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
  // graphql-ws has no "subscribed" signal: a round trip on the same socket, then a short pause for the
  // subscription's own asynchronous set-up, before the test acts.
  await new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: '{ viewer { authMethod } }' },
      { next: () => {}, error: reject, complete: resolve },
    );
  });
  await new Promise((r) => setTimeout(r, 250));
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
