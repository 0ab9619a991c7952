import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Auth, GqlResult } from './server';
import { waitFor } from './wait';

/** GraphQL over HTTP against one base URL: a replica directly, or the balancer. */
export async function gqlAt<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  auth: Auth = {},
): Promise<GqlResult<T>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const raw = await res.text();
  let body: { data?: T | null; errors?: GqlResult['errors'] } = {};
  try {
    body = JSON.parse(raw);
  } catch {
    // A 502 from the balancer (a killed replica) is not JSON; the caller looks at status and raw.
  }
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers, raw };
}

/** The data of a result that must have succeeded. */
export function ok<T>(r: GqlResult<T>): T {
  if (r.errors || !r.data) throw new Error(`unexpected GraphQL result (${r.status}): ${r.raw.slice(0, 500)}`);
  return r.data;
}

export async function signInAt(baseUrl: string, email: string, password: string): Promise<Auth> {
  const r = await gqlAt(baseUrl, 'mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }', {
    i: { email, password },
  });
  const setCookie = r.headers.get('set-cookie');
  if (!setCookie || r.errors) throw new Error(`sign-in failed: ${r.raw}`);
  return { cookie: setCookie.split(';')[0]! };
}

export interface WsAt {
  client: Client;
  /** Set once the server acknowledged the connection (its credentials were accepted). */
  connected(): boolean;
  /** Close codes seen on this client's sockets, in order. */
  closes: number[];
}

/** A graphql-ws client on one base URL, authenticated with a bearer token, that records its close codes. */
export function wsAt(baseUrl: string, token: string): WsAt {
  const closes: number[] = [];
  let connected = false;
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      connected: () => void (connected = true),
      closed: (e) => {
        connected = false;
        closes.push((e as { code?: number })?.code ?? 0);
      },
    },
  });
  return { client, connected: () => connected, closes };
}

export const EVENTS = `subscription { authorizationEvents { type connectionId linkName status } }`;

export interface Events {
  events: any[];
  errors: unknown[];
  stop(): void;
}

/** Keeps every authorizationEvents payload a client receives. */
export function collectEvents(client: Client): Events {
  const events: any[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe(
    { query: EVENTS },
    {
      next: (value) => {
        if (value.errors) errors.push(value.errors);
        const e = (value.data as any)?.authorizationEvents;
        if (e) events.push(e);
      },
      error: (e) => void errors.push(e),
      complete: () => {},
    },
  );
  return { events, errors, stop };
}

/**
 * Waits until a subscription in another process listens. graphql-ws acknowledges a connection, never a
 * subscription, and the server subscribes to its bus (and that to Redis) asynchronously: so cause an event,
 * and another, until one arrives. Bounded: `attempts` probes, each waited for up to `perProbeMs`.
 */
export async function untilListening(
  logs: Events[],
  probe: (attempt: number) => Promise<(e: any) => boolean>,
  opts: { attempts?: number; perProbeMs?: number } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 20;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const match = await probe(attempt);
    const heard = await waitFor(() => logs.every((l) => l.events.some(match)), {
      timeoutMs: opts.perProbeMs ?? 500,
    }).then(
      () => true,
      () => false,
    );
    if (heard) return;
  }
  const errors = logs.flatMap((l) => l.errors);
  throw new Error(`a subscriber never heard a probe event; errors: ${JSON.stringify(errors)}`);
}
