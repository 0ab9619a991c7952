import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { gqlAt, ok, signInAt } from './test-support/cluster-clients';
import { type Cluster, clusterAvailable, type Replica, startCluster } from './test-support/replicas';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-support/server';
import { waitFor } from './test-support/wait';

jest.setTimeout(180_000);

// kill -9 of every server process while webhook deliveries are both in flight (held, unanswered, at the
// receiver) and pending (queued, not yet claimed), then a restart on the same database: every event is
// delivered, and no delivery is acknowledged twice. The servers are real processes (test-support/replicas.ts),
// so nothing of theirs runs after the kill: no shutdown hook, no settle, no rollback.
//
// The lease is shortened to its minimum, 15 s (CONNECTIONS_WEBHOOK_LEASE_SECONDS): a delivery held at the
// receiver when its sender died is IN_FLIGHT in the outbox and is sent again only once its lease expires.

const LEASE_SECONDS = 15;
/** Events caused while the receiver holds every request: with two held, both senders are busy, so these queue. */
const QUEUED_PAIRS = 6;

interface Receiver {
  url: string;
  /** Answer 200 at once ('ack'), or keep the request open unanswered ('hold'). */
  mode: 'ack' | 'hold';
  /** Every request's Connections-Delivery id, in arrival order (answered or not). */
  arrivals: string[];
  /** How many 200s were handed to the network per delivery id: what "acknowledged" means here. */
  acks: Map<string, number>;
  /** The event cursor of each acknowledged delivery. */
  cursors: Map<string, string>;
  /** Requests held unanswered; `dropped` once the sender's side of the connection went away. */
  held: { id: string; dropped: boolean }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = {
    mode: 'ack',
    arrivals: [],
    acks: new Map(),
    cursors: new Map(),
    held: [],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['connections-delivery']);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cursor: string };
      r.arrivals.push(id);
      if (r.mode === 'hold') {
        const entry = { id, dropped: false };
        r.held.push(entry);
        res.on('close', () => (entry.dropped = true));
        return;
      }
      // 'finish': the whole answer was handed to the network, so the sender can have read it.
      res.on('finish', () => {
        r.acks.set(id, (r.acks.get(id) ?? 0) + 1);
        r.cursors.set(id, body.cursor);
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

const CREATE_TOKEN = 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }';
const CREATE_SERVICE = `mutation { createCustomService(input: {name: "Ledger", authType: API_KEY,
  paramType: HEADERS, apiKeyParamName: "X-Key", apiBaseUrls: ["https://ledger.example.test/"]}) { slug } }`;
const CREATE_WEBHOOK = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }';
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { connection { id } } }`;
const REVOKE = 'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { id } }';
const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { nodes { id cursor status } } }`;
const EVENTS = '{ authorizationEventsPage(first: 100) { nodes { cursor type connectionId } } }';

const describeCluster = clusterAvailable() ? describe : describe.skip;

describeCluster('webhook deliveries across kill -9 and restart (PostgreSQL, two replicas)', () => {
  let cluster: Cluster;
  let receiver: Receiver;
  let token: string;
  let slug: string;
  let webhookId: string;
  let keys = 0;

  const gql = async (r: Replica, query: string, variables: Record<string, unknown> = {}) =>
    ok(await gqlAt(r.url, query, variables, { token }));
  const connect = async (r: Replica) =>
    (
      await gql(r, CREATE_AND_CONNECT, {
        i: { name: `Crash ${++keys}`, service: slug, credentials: { apiKey: `key-${keys}` } },
      })
    ).createAndConnect.connection.id as string;
  /** Two events: AUTHORIZED on one replica, REVOKED on the other. */
  const connectAndRevoke = async (a: Replica, b: Replica) =>
    void (await gql(b, REVOKE, { id: await connect(a) }));
  const deliveries = async () =>
    (await gql(cluster.replicas[0]!, DELIVERIES, { id: webhookId })).webhookDeliveries.nodes as {
      id: string;
      cursor: string;
      status: string;
    }[];
  /** The outbox as the dead servers left it, read from PostgreSQL directly. */
  const outboxStatuses = async (): Promise<Record<string, number>> => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string; n: string }>(
        `SELECT status, count(*) AS n FROM "${cluster.env.DATABASE_SCHEMA}".webhook_delivery
         WHERE "webhookId" = $1 GROUP BY status`,
        [webhookId],
      );
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    cluster = await startCluster(2, { CONNECTIONS_WEBHOOK_LEASE_SECONDS: String(LEASE_SECONDS) });
    const [A] = cluster.replicas as [Replica];
    const admin = await signInAt(A.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    token = ok(await gqlAt(A.url, CREATE_TOKEN, { i: { name: 'crash' } }, admin)).createApiToken.token;
    slug = (await gql(A, CREATE_SERVICE)).createCustomService.slug;
    receiver = await startReceiver();
    webhookId = (await gql(A, CREATE_WEBHOOK, { i: { url: receiver.url } })).createWebhook.webhook.id;
  });
  afterAll(async () => {
    await receiver?.close();
    await cluster?.stop();
  });

  test('killed with deliveries in flight and pending, restarted: every event delivered, none acknowledged twice', () =>
    cluster.explained(async () => {
      const [A, B] = cluster.replicas as [Replica, Replica];
      // Before the crash: delivered and recorded as DELIVERED, so the restart has nothing of theirs to resend.
      await connect(A);
      await connect(B);
      await waitFor(
        async () => receiver.acks.size === 2 && (await deliveries()).every((d) => d.status === 'DELIVERED'),
        { timeoutMs: 20_000, message: () => `acknowledged before the crash: ${receiver.acks.size}` },
      );

      // In flight: each sender is handed one event and waits on the receiver, which does not answer. The send
      // time limit is 10 s; everything below up to the kill happens well within it (the outbox is checked).
      receiver.mode = 'hold';
      await connect(A);
      await waitFor(() => receiver.held.length >= 1, { timeoutMs: 5000, message: 'first delivery not held' });
      await connect(B);
      await waitFor(() => receiver.held.length >= 2, {
        timeoutMs: 5000,
        message: 'second delivery not held',
      });
      // Pending: both senders are busy, so these stay queued in the outbox.
      await Promise.all(
        Array.from({ length: QUEUED_PAIRS }, (_, i) =>
          i % 2 ? connectAndRevoke(A, B) : connectAndRevoke(B, A),
        ),
      );

      await Promise.all(cluster.replicas.map((r) => r.kill9()));
      const left = await outboxStatuses();
      expect(left).toEqual({ DELIVERED: 2, IN_FLIGHT: 2, PENDING: 2 * QUEUED_PAIRS });
      // The held requests' connections went down with their senders: never acknowledged.
      await waitFor(() => receiver.held.every((h) => h.dropped), { timeoutMs: 5000 });
      expect(receiver.acks.size).toBe(2);

      receiver.mode = 'ack';
      for (const r of [...cluster.replicas]) await cluster.restart(r);
      const events = (await gql(cluster.replicas[0]!, EVENTS)).authorizationEventsPage.nodes as {
        cursor: string;
      }[];
      expect(events).toHaveLength(4 + 2 * QUEUED_PAIRS);
      // Pending ones go at once; in-flight ones once their lease (15 s from the claim) has expired.
      const all = await waitFor(
        async () => {
          const list = await deliveries();
          return list.length === events.length && list.every((d) => d.status === 'DELIVERED') ? list : null;
        },
        {
          timeoutMs: (LEASE_SECONDS + 30) * 1000,
          intervalMs: 250,
          message: () => `after the restart: ${receiver.acks.size} of ${events.length} acknowledged`,
        },
      );

      // Every event's cursor reached the receiver, acknowledged once, under the delivery id the outbox holds.
      expect([...receiver.cursors.values()].sort()).toEqual(events.map((e) => e.cursor).sort());
      expect(new Map(all.map((d) => [d.id, d.cursor]))).toEqual(receiver.cursors);
      const twice = [...receiver.acks].filter(([, n]) => n !== 1);
      expect(twice).toEqual([]);
      // The two held deliveries were sent again after the restart, under their ids.
      for (const h of receiver.held) {
        expect(receiver.acks.get(h.id)).toBe(1);
        expect(receiver.arrivals.filter((id) => id === h.id)).toHaveLength(2);
      }
    })());
});
