import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiTokenRow, MembershipRow } from '../db/entities';
import { watchedClient } from '../test-support/bus-watch';
import { sha256 } from '../domain/secrets';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type Auth,
  databases,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { waitFor } from '../test-support/wait';
import { firstResult } from '../test-support/ws-clients';

jest.setTimeout(60_000);

const VIEWER = '{ viewer { authMethod role } }';
const EVENTS = 'subscription { authorizationEvents { type } }';

interface Opened {
  client: Client;
  /** Close codes the client saw, in order. */
  closes: number[];
}

/**
 * A graphql-ws client whose upgrade request carries `headers` (a cookie, an Origin, the X-Forwarded-For a
 * trusted proxy would add) and `params` as connectionParams.
 */
function open(
  t: TestServer,
  headers: Record<string, string>,
  params?: Record<string, unknown>,
  lazy = true,
): Opened {
  class WithHeaders extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const closes: number[] = [];
  const client = createClient({
    url: t.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WithHeaders,
    retryAttempts: 0,
    // Not lazy: one socket for the whole test, so the operations after a change run on the socket opened
    // before it (a lazy client closes its socket whenever no operation runs, and opens a new one).
    lazy,
    onNonLazyError: () => {}, // a refusal is what the tests look for, in `closes`
    connectionParams: params,
    on: { closed: (e) => void closes.push((e as { code: number }).code) },
  });
  return { client: watchedClient(client, t.server), closes };
}

/**
 * Runs one operation to its end: its result, its errors, or how the socket closed. Unlike firstResult it
 * lets the operation complete by itself, so a non-lazy client keeps its one socket.
 */
function run(client: Client, query: string): Promise<{ data?: any; errors?: any[]; closed?: number }> {
  return new Promise((resolve) => {
    let result: { data?: any; errors?: any[] } = {};
    client.subscribe(
      { query },
      {
        next: (value) => void (result = value as typeof result),
        error: (e: unknown) =>
          resolve(Array.isArray(e) ? { errors: e } : { closed: (e as { code?: number }).code }),
        complete: () => resolve(result),
      },
    );
  });
}

/** A raw socket speaking graphql-transport-ws: resolves with how the upgrade ended (open, or the HTTP status). */
function rawSocket(t: TestServer, headers: Record<string, string> = {}) {
  const socket = new WebSocket(t.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', {
    headers,
  });
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    socket.on('close', (code) => resolve({ code, at: Date.now() })),
  );
  const upgraded = new Promise<{ open: true } | { status: number }>((resolve) => {
    socket.on('open', () => resolve({ open: true }));
    socket.on('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      req.destroy(); // with a listener, ending the refused request is ours to do
    });
    socket.on('error', () => {});
  });
  return { socket, closed, upgraded };
}

async function createToken(t: TestServer, auth: Auth): Promise<string> {
  const r = await t.gql<{ createApiToken: { token: string } }>(
    'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }',
    { i: { name: `ws ${Math.random()}` } },
    auth,
  );
  if (r.errors) throw new Error(r.raw);
  return r.data!.createApiToken.token;
}

describe.each(databases())('graphql-ws hardening (%s)', (db) => {
  describe('credentials are checked again for every operation (item 1)', () => {
    let t: TestServer;
    beforeAll(async () => {
      // Sessions of 3.6 s; no credential cache, so a row written behind the invalidation channel's back is
      // seen by the next lookup (with the cache, within CONNECTIONS_AUTH_CACHE_SECONDS).
      t = await startTestServer(db, {
        CONNECTIONS_SESSION_TTL_HOURS: '0.001',
        CONNECTIONS_AUTH_CACHE_SECONDS: '0',
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    test('a session that expires while its socket is open: the next operation is refused and the socket closed (4403)', async () => {
      const { cookie } = await t.adminAuth();
      const ws = open(t, { cookie: cookie! }, undefined, false);
      try {
        expect((await run(ws.client, VIEWER)).data).toEqual({
          viewer: { authMethod: 'SESSION', role: 'ADMIN' },
        });
        // No announcement comes when a session expires: only the lookup before each operation can tell.
        const refused = await waitFor(
          async () => {
            const r = await run(ws.client, VIEWER);
            return r.data ? undefined : r;
          },
          { timeoutMs: 15_000, intervalMs: 250 },
        );
        expect(refused.closed ?? ws.closes[0]).toBe(4403);
        await waitFor(() => ws.closes.length > 0, { timeoutMs: 5_000 });
        expect(ws.closes).toEqual([4403]); // the socket opened before the expiry, never another one
      } finally {
        await ws.client.dispose();
      }
    });

    test('a token revoked or a role changed without an announcement is refused at the next operation (4403)', async () => {
      const admin = await t.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const email = `second-admin-${db}@example.com`;
      const added = await t.gql(
        'mutation($i: AddMemberInput!) { addMember(input: $i) { user { id } } }',
        { i: { email, password: 'second-admin-password', role: 'ADMIN' } },
        admin,
      );
      const memberId = added.data!.addMember.user.id as string;
      const revoked = await createToken(t, admin);
      const demoted = await createToken(t, await t.signIn(email, 'second-admin-password'));
      const sockets = [revoked, demoted].map((token) =>
        open(t, {}, { authorization: `Bearer ${token}` }, false),
      );
      try {
        for (const s of sockets) expect((await run(s.client, VIEWER)).data.viewer.role).toBe('ADMIN');
        // Written straight to the database: no replica hears of it, only a fresh lookup can tell.
        const ds = t.server.ds;
        await ds.getRepository(ApiTokenRow).update({ tokenHash: sha256(revoked) }, { revokedAt: new Date() });
        await ds.getRepository(MembershipRow).update({ userId: memberId }, { role: 'MEMBER' });
        for (const s of sockets) {
          const r = await run(s.client, 'mutation { createApiToken(input: { name: "escalate" }) { token } }');
          expect(r.data).toBeUndefined();
          await waitFor(() => s.closes.length > 0, { timeoutMs: 5_000 });
          expect(s.closes).toEqual([4403]);
        }
      } finally {
        await Promise.all(sockets.map((s) => s.client.dispose()));
      }
    });
  });

  describe('socket limits (item 3) and the Origin of cookie sockets (item 6)', () => {
    let t: TestServer;
    let admin: Auth;
    let token: string;
    beforeAll(async () => {
      t = await startTestServer(db, {
        GRAPHQL_WS_MAX_PAYLOAD_BYTES: '4096',
        GRAPHQL_WS_MAX_CONNECTIONS: '4',
        GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS: '2',
        GRAPHQL_WS_INIT_TIMEOUT_MS: '300',
        GRAPHQL_WS_MAX_SUBSCRIPTIONS: '2',
        // The test plays several clients from loopback: X-Forwarded-For names them, as a trusted proxy would.
        CONNECTIONS_TRUST_PROXY: 'loopback',
      });
      admin = await t.adminAuth();
      token = await createToken(t, admin);
    });
    afterAll(async () => {
      await t?.close();
    });
    let next = 10;
    const address = () => `203.0.113.${next++}`;
    /** Disposes a client and waits for its socket to close, so it no longer counts toward the caps. */
    const release = async (o: Opened) => {
      await o.client.dispose();
      await waitFor(() => o.closes.length > 0, { timeoutMs: 5_000 });
    };

    test('a frame larger than GRAPHQL_WS_MAX_PAYLOAD_BYTES closes the socket (1009) before anything is buffered', async () => {
      const raw = rawSocket(t, { 'x-forwarded-for': address() });
      expect(await raw.upgraded).toEqual({ open: true });
      raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(8192) } }));
      expect((await raw.closed).code).toBe(1009);
    });

    test('a socket that sends no connection_init is closed after GRAPHQL_WS_INIT_TIMEOUT_MS (4408)', async () => {
      const raw = rawSocket(t, { 'x-forwarded-for': address() });
      expect(await raw.upgraded).toEqual({ open: true });
      const opened = Date.now();
      const closed = await raw.closed;
      expect(closed.code).toBe(4408);
      expect(closed.at - opened).toBeLessThan(2_000);
    });

    test('sockets per client address (429) and in all (503) are capped, authenticated or not', async () => {
      const [a, b, c, d] = [address(), address(), address(), address()];
      const params = { authorization: `Bearer ${token}` };
      const held = [open(t, { 'x-forwarded-for': a }, params), open(t, { 'x-forwarded-for': a }, params)];
      for (const s of held)
        expect((await firstResult(s.client, VIEWER)).data.viewer.authMethod).toBe('API_TOKEN');
      const third = rawSocket(t, { 'x-forwarded-for': a });
      expect(await third.upgraded).toEqual({ status: 429 });
      held.push(open(t, { 'x-forwarded-for': b }, params), open(t, { 'x-forwarded-for': c }, params));
      for (const s of held.slice(2)) expect((await firstResult(s.client, VIEWER)).data).toBeDefined();
      const fifth = rawSocket(t, { 'x-forwarded-for': d });
      expect(await fifth.upgraded).toEqual({ status: 503 });
      await Promise.all(held.map(release));
      // Released sockets no longer count.
      await waitFor(
        async () => {
          const again = rawSocket(t, { 'x-forwarded-for': d });
          const upgraded = await again.upgraded;
          again.socket.terminate();
          return 'open' in upgraded;
        },
        { timeoutMs: 5_000 },
      );
    });

    test('more than GRAPHQL_WS_MAX_SUBSCRIPTIONS operations on one socket: TOO_MANY_SUBSCRIPTIONS', async () => {
      const ws = open(t, { 'x-forwarded-for': address() }, { authorization: `Bearer ${token}` });
      const stops: (() => void)[] = [];
      try {
        for (let i = 0; i < 2; i += 1)
          stops.push(
            ws.client.subscribe({ query: EVENTS }, { next: () => {}, error: () => {}, complete: () => {} }),
          );
        const third = await firstResult(ws.client, VIEWER);
        expect(third.errors![0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
        stops.pop()!();
        await waitFor(async () => !!(await firstResult(ws.client, VIEWER)).data, { timeoutMs: 5_000 });
      } finally {
        for (const stop of stops) stop();
        await release(ws);
      }
    });

    test("a cookie socket from another origin is refused (4403); the server's own origin, no Origin, or a token are not", async () => {
      const { cookie } = admin;
      const own = new URL(t.url).origin;
      const attempts: { headers: Record<string, string>; params?: Record<string, unknown>; ok: boolean }[] = [
        { headers: { cookie: cookie!, origin: 'http://localhost:5173' }, ok: false }, // dev server: development only
        { headers: { cookie: cookie!, origin: 'http://attacker.localhost:8080' }, ok: false },
        { headers: { cookie: cookie!, origin: 'null' }, ok: false },
        { headers: { cookie: cookie!, origin: own }, ok: true },
        { headers: { cookie: cookie! }, ok: true }, // not a browser: browsers always send Origin
        {
          headers: { origin: 'http://attacker.localhost:8080' },
          params: { authorization: `Bearer ${token}` },
          ok: true,
        },
      ];
      for (const attempt of attempts) {
        const ws = open(t, { ...attempt.headers, 'x-forwarded-for': address() }, attempt.params);
        try {
          const r = await firstResult(ws.client, VIEWER);
          if (attempt.ok) expect(r.data?.viewer.role).toBe('ADMIN');
          else expect(r.closed?.code).toBe(4403);
        } finally {
          await release(ws);
        }
      }
    });
  });
});
