import type { Client } from 'graphql-ws';
import { busWatchFor } from './bus-watch';
import type { Auth, TestServer } from './server';
import { waitFor } from './wait';

// Clients of the durable event log (authorizationEvents with `after`, authorizationEventsPage) for tests.

const FIELDS = 'id type connectionId extensionId status cursor attemptId principal { id email }';

const SUBSCRIPTION = `subscription($connectionId: ID, $attemptId: ID, $types: [AuthorizationEventType!],
  $extensionId: ID, $after: String) {
  authorizationEvents(connectionId: $connectionId, attemptId: $attemptId, types: $types,
    extensionId: $extensionId, after: $after) { ${FIELDS} }
}`;

const PAGE = `query($filter: AuthorizationEventFilter, $first: Int, $after: String) {
  authorizationEventsPage(filter: $filter, first: $first, after: $after) {
    nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

export interface Follower {
  events: any[];
  /** Errors the subscription ended with, if any. */
  errors(): any[] | undefined;
  /** Resolves once `n` events have arrived (or the subscription failed). */
  until(n: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** Subscribes to authorizationEvents; resolves once the server listens on its bus (or refused). */
export async function follow(client: Client, variables: Record<string, unknown> = {}): Promise<Follower> {
  const events: any[] = [];
  let errors: any[] | undefined;
  let done = false;
  const watch = busWatchFor(client);
  if (!watch) throw new Error('follow needs a client from t.ws()');
  let stop = () => {};
  await watch.exclusive(async () => {
    const before = watch.subscriptions();
    stop = client.subscribe(
      { query: SUBSCRIPTION, variables },
      {
        next: (value) => {
          if (value.errors) errors = value.errors as any[];
          const e = (value.data as any)?.authorizationEvents;
          if (e) events.push(e);
        },
        error: (e) => (errors = Array.isArray(e) ? e : [e]),
        complete: () => (done = true),
      },
    );
    await waitFor(() => errors !== undefined || done || watch.subscriptions() > before, {
      timeoutMs: 15_000,
      message: 'the server never subscribed to its event bus',
    });
  });
  return {
    events,
    errors: () => errors,
    until: (n, timeoutMs = 15_000) =>
      waitFor(() => events.length >= n || errors !== undefined || done, {
        timeoutMs,
        message: () => `got ${events.length} of ${n} events: ${JSON.stringify(events.map((e) => e.type))}`,
      }).then(() => {
        if (errors) throw new Error(`the subscription failed: ${JSON.stringify(errors)}`);
        if (events.length < n)
          throw new Error(`the subscription ended after ${events.length} of ${n} events`);
      }),
    stop,
  };
}

export interface EventPage {
  nodes: any[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
  errors?: any[];
}

export async function eventPage(
  t: TestServer,
  auth: Auth,
  variables: { filter?: Record<string, unknown>; first?: number; after?: string | null },
): Promise<EventPage> {
  const r = await t.gql(PAGE, variables, auth);
  if (r.errors) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: '' }, errors: r.errors };
  return r.data!.authorizationEventsPage;
}

/** Every stored event after `after` the viewer may see, page by page; and the cursor to continue from. */
export async function allEvents(
  t: TestServer,
  auth: Auth,
  after: string | null,
  filter: Record<string, unknown> = {},
): Promise<{ nodes: any[]; endCursor: string }> {
  const nodes: any[] = [];
  let cursor = after;
  for (let i = 0; i < 1000; i++) {
    const page = await eventPage(t, auth, { filter, first: 100, after: cursor });
    if (page.errors) throw new Error(JSON.stringify(page.errors));
    nodes.push(...page.nodes);
    cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return { nodes, endCursor: cursor };
  }
  throw new Error('authorizationEventsPage never ended');
}
