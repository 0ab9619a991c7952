import type { Client } from 'graphql-ws';
import { allEvents, eventPage, follow } from '../test-support/event-log-clients';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { waitFor } from '../test-support/wait';
import { firstResult } from '../test-support/ws-clients';

jest.setTimeout(120_000);

const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { connection { id } } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }`;
const REVOKE = 'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { id } }';
const TOKEN = 'mutation($n: String!) { createApiToken(input: {name: $n}) { token } }';
const DAY = 86_400_000;

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

const types = (events: any[]) => events.map((e) => e.type);
const ids = (events: any[]) => events.map((e) => e.id);

describe.each(databases())('the authorization event log (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;
  let member: Auth;
  let memberId: string;
  let slug: string;
  const clients: Client[] = [];
  let keys = 0;

  const ws = (auth: Auth) => {
    const client = t.ws(auth);
    clients.push(client);
    return client;
  };
  const connectNew = async (name: string, auth: Auth = admin, extra: Record<string, unknown> = {}) =>
    ok(
      await t.gql(
        CREATE_AND_CONNECT,
        { i: { name, service: slug, credentials: { apiKey: `key-${++keys}` }, ...extra } },
        auth,
      ),
    ).createAndConnect.connection.id as string;
  const reconnect = async (id: string, auth: Auth = admin) =>
    ok(await t.gql(CONNECT, { id, c: { apiKey: `key-${++keys}` } }, auth));
  /** The cursor of the newest event: a tool that has seen everything so far holds it. */
  const now = async (auth: Auth = admin) => (await allEvents(t, auth, null)).endCursor;

  beforeAll(async () => {
    t = await startTestServer(db);
    const session = await t.adminAuth();
    admin = { token: ok(await t.gql(TOKEN, { n: 'tool' }, session)).createApiToken.token };
    const m = await addMember(t, 'member@example.com');
    memberId = m.userId;
    member = { token: ok(await t.gql(TOKEN, { n: 'member tool' }, m.auth)).createApiToken.token };
    slug = ok(
      await t.gql(
        'mutation { createCustomService(input: {name: "Ledger", authType: API_KEY, paramType: HEADERS, apiKeyParamName: "X-Key", apiBaseUrls: ["https://ledger.example.test/"]}) { slug } }',
        {},
        admin,
      ),
    ).createCustomService.slug;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });

  afterAll(async () => {
    await t?.close();
  });

  test('a subscriber that reconnects with its cursor gets every event once and in order, while writes go on', async () => {
    const [c1, c2] = [await connectNew('Seam one'), await connectNew('Seam two')];
    const start = await now();
    // Two writers, each re-authorizing its own connection, concurrently with the subscriber's reconnects.
    let written = 0;
    const writer = async (id: string) => {
      for (let i = 0; i < 12; i++) {
        await reconnect(id);
        written++;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const writes = Promise.all([writer(c1), writer(c2)]);
    // Four sessions: each takes a few events and goes away; the next resumes from the last cursor it got.
    const received: any[] = [];
    let cursor = start;
    for (let session = 0; session < 3; session++) {
      const s = await follow(ws(admin), { after: cursor });
      await s.until(3);
      s.stop();
      received.push(...s.events);
      cursor = received[received.length - 1].cursor;
      await waitFor(() => written >= (session + 1) * 5, { timeoutMs: 30_000 });
    }
    const last = await follow(ws(admin), { after: cursor });
    await writes;
    await last.until(24 - received.length);
    received.push(...last.events);

    const stored = (await allEvents(t, admin, start)).nodes;
    expect(stored).toHaveLength(24);
    expect(types(stored)).toEqual(Array(24).fill('REAUTHORIZED'));
    expect(ids(received)).toEqual(ids(stored));
    expect(received.map((e) => e.cursor)).toEqual(stored.map((e) => e.cursor));
    // Live from here on, and still nothing twice.
    const before = last.events.length;
    await reconnect(c1);
    await last.until(before + 1);
    expect(new Set(ids(last.events)).size).toBe(last.events.length);
    expect(last.events[last.events.length - 1]).toMatchObject({ type: 'REAUTHORIZED', connectionId: c1 });
  });

  test('a subscriber without a cursor gets live events only, each with its cursor', async () => {
    const c = await connectNew('Live only');
    const s = await follow(ws(admin), { connectionId: c });
    await reconnect(c);
    await s.until(1);
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ type: 'REAUTHORIZED', connectionId: c, extensionId: null });
    const stored = (await allEvents(t, admin, null, { connectionId: c })).nodes;
    expect(stored[stored.length - 1].cursor).toBe(s.events[0].cursor);
  });

  test('types and extensionId narrow the replay, the live events and the page', async () => {
    const ext = ok(
      await t.gql(
        'mutation($i: CreateExtensionInput!) { createExtension(input: $i) { id } }',
        { i: { name: 'Ledger tools', connections: [{ name: 'Ext ledger', service: slug }] } },
        admin,
      ),
    ).createExtension;
    const start = await now();
    const installed = ok(
      await t.gql(
        'mutation($id: ID!) { installExtension(extensionId: $id) { toAuthorize { connection { id } } } }',
        { id: ext.id },
        admin,
      ),
    ).installExtension;
    const x = installed.toAuthorize[0].connection.id as string;
    const plain = await connectNew('Plain ledger');
    await reconnect(x);
    await t.gql(REVOKE, { id: plain }, admin);
    await t.gql(REVOKE, { id: x }, admin);

    const extOnly = await follow(ws(admin), { after: start, extensionId: ext.id });
    const revokedOnly = await follow(ws(admin), { after: start, types: ['REVOKED', 'DELETED'] });
    await extOnly.until(2);
    await revokedOnly.until(2);
    expect(types(extOnly.events)).toEqual(['AUTHORIZED', 'REVOKED']);
    expect(extOnly.events.every((e) => e.connectionId === x && e.extensionId === ext.id)).toBe(true);
    expect(revokedOnly.events.map((e) => [e.type, e.connectionId])).toEqual([
      ['REVOKED', plain],
      ['REVOKED', x],
    ]);
    // Live: an AUTHORIZED and a REVOKED of the plain connection, then one of the extension's.
    await reconnect(plain);
    await t.gql(REVOKE, { id: plain }, admin);
    await reconnect(x);
    await extOnly.until(3);
    await revokedOnly.until(3);
    expect(extOnly.events[2]).toMatchObject({ type: 'AUTHORIZED', connectionId: x, extensionId: ext.id });
    expect(revokedOnly.events[2]).toMatchObject({ type: 'REVOKED', connectionId: plain });
    expect(revokedOnly.events).toHaveLength(3);

    const page = await allEvents(t, admin, start, { extensionId: ext.id, types: ['AUTHORIZED'] });
    expect(page.nodes.map((e) => [e.type, e.connectionId])).toEqual([
      ['AUTHORIZED', x],
      ['AUTHORIZED', x],
    ]);
  });

  test('authorizationEventsPage pages through the log and polls from its endCursor', async () => {
    const start = await now();
    const c = await connectNew('Paged');
    for (let i = 0; i < 4; i++) await reconnect(c);
    const seen: any[] = [];
    let after: string | null = start;
    const pages: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await eventPage(t, admin, { first: 2, after });
      expect(page.errors).toBeUndefined();
      seen.push(...page.nodes);
      pages.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    expect(types(seen)).toEqual(['AUTHORIZED', ...Array(4).fill('REAUTHORIZED')]);
    expect(pages[pages.length - 1]).toBe(false);
    // Polling: nothing new is an empty page with the same cursor; then exactly what came next.
    const idle = await eventPage(t, admin, { after });
    expect(idle).toMatchObject({ nodes: [], pageInfo: { hasNextPage: false, endCursor: after } });
    await t.gql(REVOKE, { id: c }, admin);
    const next = await eventPage(t, admin, { after });
    expect(types(next.nodes)).toEqual(['REVOKED']);
    // Without a cursor: from the oldest event kept.
    const oldest = await eventPage(t, admin, { first: 1 });
    expect(oldest.nodes[0].type).toBe('AUTHORIZED');
    expect((await eventPage(t, admin, { first: 0 })).errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('a member never replays, pages or follows events they may not see', async () => {
    const start = await now(member);
    const mine = await connectNew('Member ledger', member);
    // Restricted to its owner and admins: the member may not see it, nor its events (issue 13; unrestricted, an
    // owner-credential connection's authorization events reach every member who may use it).
    const admins = await connectNew('Admin ledger', admin, { access: { restricted: true, members: [] } });
    // A login-user connection: the admin's authorization and the member's own are each their owner's business.
    const shared = ok(
      await t.gql(
        CREATE_AND_CONNECT,
        {
          i: {
            name: 'Shared ledger',
            service: slug,
            useLoginUserCredentials: true,
            credentials: { apiKey: 'k-s' },
          },
        },
        admin,
      ),
    ).createAndConnect.connection.id as string;
    await reconnect(admins);
    await reconnect(mine, member);
    await reconnect(shared, member);
    await t.gql(REVOKE, { id: admins }, admin);

    const s = await follow(ws(member), { after: start });
    const onShared = await follow(ws(member), { after: start, connectionId: shared });
    await s.until(3);
    // Live: the admin's events come first, the member's after them: one that leaked would arrive before it.
    await reconnect(admins);
    await reconnect(shared);
    await reconnect(mine, member);
    await s.until(4);
    expect(s.events.map((e) => [e.type, e.connectionId, e.principal.id])).toEqual([
      ['AUTHORIZED', mine, memberId],
      ['REAUTHORIZED', mine, memberId],
      ['AUTHORIZED', shared, memberId],
      ['REAUTHORIZED', mine, memberId],
    ]);
    expect(ids((await allEvents(t, member, start)).nodes)).toEqual(ids(s.events));
    expect(onShared.events.map((e) => [e.type, e.principal.id])).toEqual([['AUTHORIZED', memberId]]);
    const sharedPage = await allEvents(t, member, start, { connectionId: shared });
    expect(ids(sharedPage.nodes)).toEqual(ids(onShared.events));
    // A connection the member cannot see is NOT_FOUND, as for any query.
    expect(
      (await eventPage(t, member, { after: start, filter: { connectionId: admins } })).errors?.[0].extensions
        .code,
    ).toBe('NOT_FOUND');
    // The admin sees everything.
    const all = await allEvents(t, admin, start);
    expect(new Set(all.nodes.map((e) => e.connectionId))).toEqual(new Set([mine, admins, shared]));
    expect(all.nodes.length).toBeGreaterThan(s.events.length + 3);
  });

  test('cursors of another workspace, or none at all, are refused', async () => {
    const other = await seedWorkspaceWithUser(t, {
      email: 'other@example.com',
      password: 'other-password-1234',
    });
    const foreign = Buffer.from(`ev1:${other.workspaceId}:1`).toString('base64url');
    for (const after of [foreign, 'not-a-cursor']) {
      const r = await firstResult(
        ws(admin),
        'subscription($a: String) { authorizationEvents(after: $a) { id } }',
        {
          a: after,
        },
      );
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect((await eventPage(t, admin, { after })).errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  // Last: retention empties this server's log.
  test('retention deletes old events; a cursor older than what is kept gets CURSOR_EXPIRED', async () => {
    const log = t.server.services.eventLog;
    const c = await connectNew('Retained');
    await reconnect(c);
    const [first, second] = (await allEvents(t, admin, null, { connectionId: c })).nodes;
    expect(await log.deleteExpired()).toBe(0);
    expect(await log.deleteExpired(new Date(Date.now() + 31 * DAY))).toBeGreaterThanOrEqual(2);
    expect(await log.deleteExpired(new Date(Date.now() + 31 * DAY))).toBe(0);

    const r = await firstResult(
      ws(admin),
      'subscription($a: String) { authorizationEvents(after: $a) { id } }',
      {
        a: first.cursor,
      },
    );
    expect(r.errors?.[0].extensions.code).toBe('CURSOR_EXPIRED');
    expect(r.errors?.[0].message).toMatch(/resync with `connections`/i);
    expect((await eventPage(t, admin, { after: first.cursor })).errors?.[0].extensions.code).toBe(
      'CURSOR_EXPIRED',
    );
    // The newest cursor missed nothing: it still works, and what comes next arrives.
    expect(await eventPage(t, admin, { after: second.cursor })).toMatchObject({ nodes: [] });
    const s = await follow(ws(admin), { after: second.cursor });
    await reconnect(c);
    await s.until(1);
    expect(types(s.events)).toEqual(['REAUTHORIZED']);
  });
});
