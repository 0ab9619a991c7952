import { AuditEventRow } from '../db/entities';
import { AuditOutcome1764970000000 } from '../db/migrations/1764970000000-audit-outcome';
import { addMember, type Auth, databases, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { waitFor } from '../test-support/wait';
import { auditOutcome } from './audit-outcome';

jest.setTimeout(60_000);

// Issue 17, item 5: the activity log filters by kind, member and outcome, pages with cursors that new events
// do not shift, and records a call refused before its URL was resolved with the path the caller gave.

const EVENTS = `query($f: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id action kind outcome message metadata actor { email } }
  } }`;
const CREATE_AND_CONNECT =
  'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id linkName } } }';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }';

interface Node {
  id: string;
  action: string;
  kind: string;
  outcome: string | null;
  message: string;
  metadata: Record<string, unknown> | null;
  actor: { email: string } | null;
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Node[];
}

describe.each(databases())('activity log (%s)', (db) => {
  let t: TestServer;
  let up: Upstream;
  let admin: Auth;
  let member: { auth: Auth; userId: string };
  let slug: string;
  const conn = { id: '', linkName: '' };

  const events = async (f: Record<string, unknown>, auth: Auth = admin, first = 100, after?: string) => {
    const r = await t.gql<{ auditEvents: Page }>(EVENTS, { f, first, after }, auth);
    if (r.errors) throw new Error(r.raw);
    return r.data!.auditEvents;
  };
  const invoke = (linkName: string, url: string, auth: Auth = admin) =>
    t.gql(INVOKE, { i: { connection: linkName, url } }, auth);
  const calls = async (connectionId: string) =>
    (await events({ connectionId, kind: 'INVOCATION' })).totalCount;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    up = await startUpstream((req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    admin = await t.adminAuth();
    slug = (
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Activity',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${up.url}/`],
          },
        },
        admin,
      )
    ).data!.createCustomService.slug;
    const created = await t.gql(
      CREATE_AND_CONNECT,
      { i: { name: 'Activity', service: slug, credentials: { apiKey: 'k-1' } } },
      admin,
    );
    Object.assign(conn, created.data!.createAndConnect.connection);
    member = await addMember(t, 'activity-member@example.com');
    expect((await invoke(conn.linkName, 'ok')).data?.invokeUrl.status).toBe(200);
    expect((await invoke(conn.linkName, 'missing')).data?.invokeUrl.status).toBe(404);
    await waitFor(async () => (await calls(conn.id)) === 2);
  });
  afterAll(async () => {
    await up?.close();
    await t?.close();
  });

  test('each event has a kind and an outcome; filters by kind and outcome', async () => {
    const all = await events({ connectionId: conn.id });
    const by = (action: string) => all.nodes.find((n) => n.action === action)!;
    expect(by('connection.created')).toMatchObject({ kind: 'CHANGE', outcome: 'SUCCESS' });
    expect(by('authorization.AUTHORIZED')).toMatchObject({ kind: 'AUTHORIZATION', outcome: 'SUCCESS' });
    const invocations = await events({ connectionId: conn.id, kind: 'INVOCATION' });
    expect(invocations.nodes.map((n) => [n.metadata?.path, n.outcome]).sort()).toEqual([
      ['/missing', 'FAILURE'],
      ['/ok', 'SUCCESS'],
    ]);
    const authorizations = await events({ connectionId: conn.id, kind: 'AUTHORIZATION' });
    expect(authorizations.nodes.map((n) => n.action)).toEqual(['authorization.AUTHORIZED']);
    const changes = await events({ connectionId: conn.id, kind: 'CHANGE' });
    expect(changes.nodes.map((n) => n.action)).toEqual(['connection.created']);
    const failures = await events({ connectionId: conn.id, outcome: 'FAILURE' });
    expect(failures.nodes.map((n) => n.metadata?.path)).toEqual(['/missing']);
    expect(failures.totalCount).toBe(1);
  });

  test('a call refused before its URL was resolved is recorded with the path given, no made-up host', async () => {
    const pending = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }',
      { i: { name: 'Later', service: slug } },
      admin,
    );
    const later = pending.data!.createConnection as { id: string; linkName: string };
    const r = await invoke(later.linkName, 'contacts');
    expect(r.errors?.[0]?.extensions?.code).toBe('NEEDS_AUTHORIZATION');
    const [call] = await waitFor(async () => {
      const p = await events({ connectionId: later.id, kind: 'INVOCATION' });
      return p.nodes.length ? p.nodes : null;
    });
    expect(call).toMatchObject({ outcome: 'FAILURE', metadata: { host: '', path: 'contacts' } });
    expect(call!.message).toBe('GET contacts -> NEEDS_AUTHORIZATION');
    expect(call!.message).not.toMatch(/invalid/);
  });

  test('by member: their events only; a member never reads the admin’s calls', async () => {
    const mine = await t.gql(
      CREATE_AND_CONNECT,
      { i: { name: 'Member own', service: slug, credentials: { apiKey: 'k-2' } } },
      member.auth,
    );
    const own = mine.data!.createAndConnect.connection as { id: string; linkName: string };
    await invoke(own.linkName, 'missing', member.auth);
    await waitFor(async () => (await calls(own.id)) === 1);
    const theirs = await events({ actorId: member.userId });
    expect(theirs.nodes.length).toBeGreaterThan(0);
    expect(theirs.nodes.every((n) => n.actor?.email === 'activity-member@example.com')).toBe(true);
    const memberFailures = await events({ outcome: 'FAILURE', kind: 'INVOCATION' }, member.auth);
    expect(memberFailures.nodes.map((n) => n.actor?.email)).toEqual(['activity-member@example.com']);
  });

  test('cursor paging: every event once, and new events do not shift the next page', async () => {
    const whole = (await events({ connectionId: conn.id })).nodes.map((n) => n.id);
    expect(whole.length).toBeGreaterThanOrEqual(4);
    const first = await events({ connectionId: conn.id }, admin, 2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    // A new event lands at the top between two page reads: an offset would repeat an event on page 2.
    await invoke(conn.linkName, 'ok');
    await waitFor(async () => (await calls(conn.id)) === 3);
    const seen = first.nodes.map((n) => n.id);
    let after = first.pageInfo.endCursor!;
    for (;;) {
      const next = await events({ connectionId: conn.id }, admin, 2, after);
      seen.push(...next.nodes.map((n) => n.id));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor!;
    }
    expect(seen).toEqual(whole);
  });

  test('the migration classifies events written before it as the writer does now', async () => {
    const q = t.server.ds.createQueryRunner();
    const migration = new AuditOutcome1764970000000();
    try {
      await migration.down(q);
      await migration.up(q);
    } finally {
      await q.release();
    }
    const rows = await t.server.ds.getRepository(AuditEventRow).find();
    const outcomes = new Set(rows.map((r) => r.outcome));
    expect(outcomes).toEqual(new Set(['SUCCESS', 'FAILURE']));
    for (const r of rows)
      expect([r.action, r.outcome ?? null]).toEqual([r.action, auditOutcome(r.action, r.metadata)]);
  });

  test('a cursor that is not one, or of another workspace’s event, is refused', async () => {
    for (const after of [
      'nope',
      Buffer.from('a:00000000-0000-4000-8000-000000000000').toString('base64url'),
    ]) {
      const r = await t.gql(EVENTS, { f: {}, first: 5, after }, admin);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});
