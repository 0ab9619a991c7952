import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { shallowRef } from 'vue';

/**
 * One urql client per signed-in session. The WebSocket carries the session cookie of the moment it opened
 * (same origin, no connectionParams), so signing in or out replaces the client: a fresh socket with the new
 * cookie and an empty cache, with nothing of the previous user left behind.
 */
function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}

const FORBIDDEN_CLOSE = 4403;
const isCloseEvent = (e: unknown): e is { code: number } =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';

let onUnauthenticated: () => void = () => {};
/** Who to tell when the API answers UNAUTHENTICATED (the session expired or was signed out elsewhere). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export interface ApiClient {
  urql: Client;
  ws: WsClient;
}

function create(): ApiClient {
  const ws = createWsClient({
    url: wsUrl(),
    lazy: true,
    // Reconnect after a network blip or a server restart; the event subscription then resumes from its last
    // cursor, and the API replays what was published while away (see useAuthorizationEvents).
    retryAttempts: Infinity,
    retryWait: async (retries) => {
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 15_000)));
    },
    // 4403: the server closed the socket because its credentials no longer hold (signed out here or elsewhere,
    // a revoked session, a changed role). Retrying with the same cookie cannot help, and a retry still pending
    // when the client is replaced rejects with nobody listening: stop, and let the session decide.
    shouldRetry: (e) => {
      if (isCloseEvent(e) && e.code === FORBIDDEN_CLOSE) {
        onUnauthenticated();
        return false;
      }
      return true;
    },
  });
  const urql = new Client({
    url: '/graphql',
    // Apollo's CSRF prevention refuses simple GET requests: every operation is a JSON POST.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const code = error.graphQLErrors[0]?.extensions?.code;
          // The sign-in mutation answers UNAUTHENTICATED for a wrong password: that is not a session ending.
          const signIn = operation.query.definitions.some(
            (d) => d.kind === 'OperationDefinition' && d.name?.value === 'SignIn',
          );
          if (code === 'UNAUTHENTICATED' && !signIn) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { urql, ws };
}

export const api = shallowRef<ApiClient>(create());

/** Drops the cache and the socket: called after sign-in and sign-out. */
export function resetApiClient(): void {
  const old = api.value;
  api.value = create();
  void old.ws.dispose();
}
