import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookDeliveryRow } from '../db/entities/webhook-delivery';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { dumpDatabase, sqliteFileBytes } from '../test-support/storage-scan';
import { waitFor } from '../test-support/wait';

jest.setTimeout(120_000);

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP receiver on loopback; `reply` picks each answer (the n-th request is n, from 1). */
async function startReceiver(reply: (n: number) => { status: number; headers?: Record<string, string> }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const r = reply(received.length);
      res.writeHead(r.status, r.headers).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The verification a receiver would write, independently of the server's code: recompute the HMAC-SHA256 of
 * "<t>.<raw body>" with the secret and compare in constant time; refuse timestamps older than 5 minutes.
 */
function verify(secret: string, header: string, body: string, nowSeconds = Date.now() / 1000): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) {
  secret webhook { id url status enabled failing types connectionIds } } }`;
const TEST = 'mutation($id: ID!) { sendTestWebhook(id: $id) { id status } }';
const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { totalCount nodes {
  id eventId cursor status attempts lastStatus lastError durationMs } } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateWebhookInput!) { updateWebhook(id: $id, input: $i) {
  status enabled failing consecutiveFailures } }`;
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { connection { id } } }`;

async function customService(t: TestServer, admin: Auth): Promise<string> {
  return ok(
    await t.gql(
      'mutation { createCustomService(input: {name: "Ledger", authType: API_KEY, paramType: HEADERS, apiKeyParamName: "X-Key", apiBaseUrls: ["https://ledger.example.test/"]}) { slug } }',
      {},
      admin,
    ),
  ).createCustomService.slug;
}

describe.each(databases())('webhooks (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;
  let slug: string;
  let keys = 0;
  const receivers: { close(): Promise<void> }[] = [];

  const receiver = async (reply: Parameters<typeof startReceiver>[0] = () => ({ status: 200 })) => {
    const r = await startReceiver(reply);
    receivers.push(r);
    return r;
  };
  const create = async (url: string, extra: Record<string, unknown> = {}) =>
    ok(await t.gql(CREATE, { i: { url, ...extra } }, admin)).createWebhook;
  const deliveries = async (id: string) =>
    ok(await t.gql(DELIVERIES, { id }, admin)).webhookDeliveries.nodes as any[];
  const connectNew = async (name: string) =>
    ok(
      await t.gql(
        CREATE_AND_CONNECT,
        { i: { name, service: slug, credentials: { apiKey: `key-${++keys}` } } },
        admin,
      ),
    ).createAndConnect.connection.id as string;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    admin = await t.adminAuth();
    slug = await customService(t, admin);
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t?.close();
  });

  test('an event is queued with its transaction and delivered signed; an independent verifier accepts it', async () => {
    const r = await receiver();
    const { secret, webhook } = await create(r.url, { types: ['AUTHORIZED'] });
    expect(webhook).toMatchObject({
      url: r.url,
      status: 'ACTIVE',
      enabled: true,
      failing: false,
      types: ['AUTHORIZED'],
    });
    const connectionId = await connectNew('Signed');
    await waitFor(() => r.received.length >= 1, { timeoutMs: 15_000 });

    const [req] = r.received;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(verify(secret, req!.headers['connections-signature'] as string, req!.body)).toBe(true);
    expect(verify('whsec_wrong', req!.headers['connections-signature'] as string, req!.body)).toBe(false);
    expect(verify(secret, req!.headers['connections-signature'] as string, req!.body + ' ')).toBe(false);
    const body = JSON.parse(req!.body);
    expect(body.event).toMatchObject({
      type: 'AUTHORIZED',
      connectionId,
      linkName: 'signed',
      status: 'CONNECTED',
    });
    expect(body.cursor).toBe(body.event.cursor);
    expect(JSON.stringify(body)).not.toMatch(/key-\d/);

    const [d] = await waitFor(async () => {
      const list = await deliveries(webhook.id);
      return list[0]?.status === 'DELIVERED' ? list : null;
    });
    expect(d).toMatchObject({
      id: req!.headers['connections-delivery'],
      eventId: body.event.id,
      cursor: body.cursor,
    });
    expect(d).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null });
    expect(d.durationMs).toEqual(expect.any(Number));
    ok(await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, admin));
  });

  test('the secret is shown once, stored sealed, and a rotated secret signs the next delivery', async () => {
    const r = await receiver();
    const { secret, webhook } = await create(r.url);
    const list = ok(await t.gql('{ webhooks { id url status } }', {}, admin)).webhooks;
    expect(list).toContainEqual({ id: webhook.id, url: r.url, status: 'ACTIVE' });
    expect((await dumpDatabase(t)).includes(secret)).toBe(false);
    expect(sqliteFileBytes(t).includes(Buffer.from(secret))).toBe(false);
    expect(t.transcript.filter((body) => body.includes(secret))).toHaveLength(1);

    const rotated = ok(
      await t.gql(
        'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }',
        { id: webhook.id },
        admin,
      ),
    ).rotateWebhookSecret.secret;
    expect(rotated).not.toBe(secret);
    ok(await t.gql(TEST, { id: webhook.id }, admin));
    await waitFor(() => r.received.length >= 1, { timeoutMs: 15_000 });
    const [req] = r.received;
    expect(JSON.parse(req!.body)).toMatchObject({ event: { type: 'TEST' }, cursor: null });
    expect(verify(rotated, req!.headers['connections-signature'] as string, req!.body)).toBe(true);
    expect(verify(secret, req!.headers['connections-signature'] as string, req!.body)).toBe(false);
    expect((await dumpDatabase(t)).includes(rotated)).toBe(false);
    ok(await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, admin));
  });

  test('503 with Retry-After: 1 is retried after a second, under the same delivery id', async () => {
    const r = await receiver((n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const { webhook } = await create(r.url);
    const sent = ok(await t.gql(TEST, { id: webhook.id }, admin)).sendTestWebhook;
    const [d] = await waitFor(
      async () => {
        const list = await deliveries(webhook.id);
        return list[0]?.status === 'DELIVERED' ? list : null;
      },
      { timeoutMs: 20_000 },
    );
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(900);
    // Backoff without Retry-After starts at 30 s: the second attempt came from the header.
    expect(r.received[1]!.at - r.received[0]!.at).toBeLessThan(10_000);
    expect(r.received.map((x) => x.headers['connections-delivery'])).toEqual([sent.id, sent.id]);
    expect(d).toMatchObject({ id: sent.id, attempts: 2, lastStatus: 200, lastError: null });
    ok(await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, admin));
  });

  test('a 4xx stops at once; repeated failures mark the endpoint failing until it is re-enabled', async () => {
    const r = await receiver(() => ({ status: 400 }));
    const { webhook } = await create(r.url);
    for (let i = 0; i < 5; i++) ok(await t.gql(TEST, { id: webhook.id }, admin));
    const list = await waitFor(
      async () => {
        const l = await deliveries(webhook.id);
        return l.length === 5 && l.every((d) => d.status === 'FAILED') ? l : null;
      },
      { timeoutMs: 20_000 },
    );
    for (const d of list) expect(d).toMatchObject({ attempts: 1, lastStatus: 400, lastError: 'HTTP 400' });
    const state = ok(
      await t.gql('{ webhooks { id status failing enabled consecutiveFailures } }', {}, admin),
    ).webhooks.find((w: any) => w.id === webhook.id);
    expect(state).toMatchObject({ status: 'FAILING', failing: true, enabled: false, consecutiveFailures: 5 });
    const audit = ok(
      await t.gql('{ auditEvents(filter: {action: "webhook."}) { nodes { action targetId } } }', {}, admin),
    );
    expect(audit.auditEvents.nodes).toContainEqual({ action: 'webhook.failing', targetId: webhook.id });

    // A failing endpoint gets no new events; nothing was retried.
    await connectNew('While failing');
    await new Promise((res) => setTimeout(res, 1500));
    expect(await deliveries(webhook.id)).toHaveLength(5);
    expect(r.received).toHaveLength(5);

    const back = ok(await t.gql(UPDATE, { id: webhook.id, i: { enabled: true } }, admin)).updateWebhook;
    expect(back).toMatchObject({ status: 'ACTIVE', enabled: true, failing: false, consecutiveFailures: 0 });
    ok(await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, admin));
  });

  test('redeliver sends a delivery again under its id; an in-flight one left by a dead replica is sent once its lease expires', async () => {
    const r = await receiver();
    const { webhook } = await create(r.url);
    const sent = ok(await t.gql(TEST, { id: webhook.id }, admin)).sendTestWebhook;
    await waitFor(() => r.received.length >= 1, { timeoutMs: 15_000 });
    await waitFor(async () => (await deliveries(webhook.id))[0]?.status === 'DELIVERED');
    const again = ok(
      await t.gql(
        'mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { id status } }',
        { id: sent.id },
        admin,
      ),
    ).redeliverWebhookDelivery;
    expect(again).toEqual({ id: sent.id, status: 'PENDING' });
    await waitFor(() => r.received.length >= 2, { timeoutMs: 15_000 });
    expect(r.received[1]!.headers['connections-delivery']).toBe(sent.id);

    // What a replica killed mid-send leaves behind: IN_FLIGHT, lease expired.
    await waitFor(async () => (await deliveries(webhook.id))[0]?.status === 'DELIVERED');
    await t.server.ds
      .getRepository(WebhookDeliveryRow)
      .update({ id: sent.id }, { status: 'IN_FLIGHT', nextAttemptAt: new Date(Date.now() - 1000) });
    await waitFor(() => r.received.length >= 3, { timeoutMs: 15_000 });
    await waitFor(async () => (await deliveries(webhook.id))[0]?.status === 'DELIVERED');
    ok(await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, admin));
  });

  test('inputs are validated with codes and fields; members may not manage webhooks', async () => {
    const bad = async (i: Record<string, unknown>) =>
      (await t.gql(CREATE, { i }, admin)).errors![0]!.extensions;
    expect(await bad({ url: 'ftp://example.com/hook' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'url',
    });
    expect(await bad({ url: 'not a url' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await bad({ url: 'https://example.com/', connectionIds: ['nope'] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'connectionIds',
    });
    const member = await addMember(t, 'webhook-member@example.com');
    const r = await t.gql(CREATE, { i: { url: 'https://example.com/' } }, member.auth);
    expect(r.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await t.gql('{ webhooks { id } }', {}, member.auth)).errors![0]!.extensions!.code).toBe(
      'FORBIDDEN',
    );
  });

  test('two replicas send each delivery once', async () => {
    const replica = await startTestServer(
      db,
      { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' },
      { replicaOf: t },
    );
    try {
      const r = await receiver();
      const { webhook } = await create(r.url);
      const ids = new Set<string>();
      for (let i = 0; i < 30; i++)
        ids.add(ok(await t.gql(TEST, { id: webhook.id }, admin)).sendTestWebhook.id);
      await Promise.all([1, 2, 3].map((i) => connectNew(`Replicas ${i}`)));
      await waitFor(
        async () => {
          const l = await deliveries(webhook.id);
          return l.length === 33 && l.every((d) => d.status === 'DELIVERED');
        },
        { timeoutMs: 30_000 },
      );
      const seen = r.received.map((x) => x.headers['connections-delivery'] as string);
      expect(seen).toHaveLength(33);
      expect(new Set(seen).size).toBe(33);
      for (const id of ids) expect(seen).toContain(id);
    } finally {
      await replica.close();
    }
  });
});

describe.each(databases())('webhooks in production settings (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;
  const r: { close?: () => Promise<void> } = {};

  beforeAll(async () => {
    t = await startTestServer(db, { NODE_ENV: 'production' });
    admin = await t.adminAuth();
  });
  afterAll(async () => {
    await r.close?.();
    await t?.close();
  });

  test('http and private IP literals are refused at creation; a name resolving to loopback is refused at delivery', async () => {
    const bad = async (url: string) => (await t.gql(CREATE, { i: { url } }, admin)).errors![0]!.extensions;
    expect(await bad('http://hooks.example.com/')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await bad('https://127.0.0.1/hook')).toMatchObject({ code: 'HOST_NOT_ALLOWED', field: 'url' });
    expect(await bad('https://169.254.169.254/latest')).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      field: 'url',
    });

    const receiver = await startReceiver(() => ({ status: 200 }));
    r.close = receiver.close;
    const { webhook } = ok(
      await t.gql(CREATE, { i: { url: `https://localhost:${receiver.port}/hook` } }, admin),
    ).createWebhook;
    ok(await t.gql(TEST, { id: webhook.id }, admin));
    const [d] = await waitFor(
      async () => {
        const l = ok(await t.gql(DELIVERIES, { id: webhook.id }, admin)).webhookDeliveries.nodes;
        return l[0]?.status === 'FAILED' ? l : null;
      },
      { timeoutMs: 15_000 },
    );
    expect(d).toMatchObject({ attempts: 1, lastStatus: null });
    expect(d.lastError).toMatch(/^HOST_NOT_ALLOWED: localhost resolves to a refused address/);
    expect(receiver.received).toHaveLength(0);
  });
});
