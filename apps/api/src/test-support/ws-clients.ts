import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { watchedClient } from './bus-watch';
import type { TestServer } from './server';

/**
 * A graphql-ws client that authenticates the way a browser does: with the session cookie on the upgrade
 * request, and nothing in connectionParams.
 */
export function cookieWsClient(t: TestServer, cookie: string): Client {
  class CookieWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: { cookie } });
    }
  }
  const client = createClient({
    url: t.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: CookieWebSocket,
    retryAttempts: 0,
    lazy: true,
  });
  return watchedClient(client, t.server);
}

/** The first thing an operation yields: a result (data and/or errors), an error list, or a close event. */
export function firstResult(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: any; errors?: any[]; closed?: { code: number; reason: string } }> {
  return new Promise((resolve) => {
    const stop = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          resolve(value as { data?: any; errors?: any[] });
          stop();
        },
        error: (e: unknown) => {
          if (Array.isArray(e)) resolve({ errors: e });
          else if (e && typeof e === 'object' && 'code' in e)
            resolve({ closed: { code: (e as any).code, reason: String((e as any).reason ?? '') } });
          else resolve({ errors: [e] });
        },
        complete: () => resolve({}),
      },
    );
  });
}
