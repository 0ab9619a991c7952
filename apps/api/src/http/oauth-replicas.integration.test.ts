import { Browser } from '@connections/auth-flows/test-support/browser';
import {
  type OAuth1Provider,
  startOAuth1Provider,
} from '@connections/auth-flows/test-support/oauth1-provider';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { randomBytes } from 'node:crypto';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationAttemptRow } from '../db/entities';
import {
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { dumpDatabase, sqliteFileBytes } from '../test-support/storage-scan';

jest.setTimeout(90_000);

const CLIENT_SECRET = `oidc-client-secret-${randomBytes(8).toString('hex')}`;
const CONSUMER_KEY = 'replica-consumer';
const CONSUMER_SECRET = `consumer-secret-${randomBytes(8).toString('hex')}`;
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { attemptId authorizeUrl connection { id status } } }`;
const SERVICE = 'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }';

type FlowState = { grant?: { code_verifier?: string; request?: { oauth_token_secret?: string } } };

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

/**
 * Two servers on one database, key and public URL (replica A's, as a balancer's would be): a flow started on
 * A completes when the provider's redirect lands on B, with no sticky session, because the flow's state is
 * in the attempt's row (encrypted), not in A's memory.
 */
describe.each(databases())('OAuth flows across two servers on one database (%s)', (db) => {
  let a: TestServer;
  let b: TestServer;
  let oidc: OidcServer;
  let oauth1: OAuth1Provider;
  let token: string;
  const slugs = { oauth2: '', oauth1: '' };

  beforeAll(async () => {
    // The provider is on loopback: the code exchange goes through the network guard like every request.
    const env = { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' };
    a = await startTestServer(db, env);
    b = await startTestServer(db, env, { replicaOf: a });
    oidc = await startOidcServer([
      {
        client_id: 'replicas',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${a.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    oauth1 = await startOAuth1Provider({ [CONSUMER_KEY]: { secret: CONSUMER_SECRET } });
    const admin = await a.adminAuth();
    token = ok(await a.gql('mutation { createApiToken(input: {name: "replicas"}) { token } }', {}, admin))
      .createApiToken.token;
    const service = async (i: Record<string, unknown>) =>
      ok(await a.gql(SERVICE, { i }, { token })).createCustomService.slug as string;
    slugs.oauth2 = await service({
      name: 'Replica OIDC',
      authType: 'OAUTH2',
      authorizeUrl: oidc.authorizeUrl,
      accessTokenUrl: oidc.tokenUrl,
      profileUrl: oidc.userinfoUrl,
      clientId: 'replicas',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'email'],
      apiBaseUrls: [oidc.issuer],
    });
    slugs.oauth1 = await service({
      name: 'Replica OAuth 1.0a',
      authType: 'OAUTH1',
      requestTokenUrl: `${oauth1.url}/oauth/request_token`,
      authorizeUrl: `${oauth1.url}/oauth/authorize`,
      accessTokenUrl: `${oauth1.url}/oauth/access_token`,
      profileUrl: `${oauth1.url}/api/me`,
      clientId: CONSUMER_KEY,
      clientSecret: CONSUMER_SECRET,
      apiBaseUrls: [`${oauth1.url}/api/`],
    });
  });
  afterAll(async () => {
    await oidc?.stop();
    await oauth1?.close();
    // The replica first: the primary drops the shared schema (or files) when it closes.
    await b?.close();
    await a?.close();
  });

  /** Starts the flow on A and stops at the provider's redirect back to the public callback URL. */
  async function startOnA(name: string, service: string, auth: Auth = { token }) {
    const r = ok(await a.gql(CREATE_AND_CONNECT, { i: { name, service } }, auth)).createAndConnect;
    expect(r.authorizeUrl.startsWith(`${a.url}/oauth/connect/`)).toBe(true);
    const browser = new Browser();
    const page = await browser.follow(r.authorizeUrl, (url) => url.startsWith(`${a.url}/oauth/callback`));
    expect(page.stoppedAt).toBeDefined();
    const callbackOnB = new URL(page.stoppedAt!);
    callbackOnB.port = new URL(b.url).port;
    return { ...r, browser, callbackOnB: callbackOnB.toString() };
  }

  const attemptRow = (id: string) =>
    a.server.ds.getRepository(AuthorizationAttemptRow).findOneByOrFail({ id });

  /** The flow state as stored: encrypted, bound to its row; and what it holds, opened with the shared key. */
  async function storedFlowState(attemptId: string): Promise<FlowState> {
    const sealed = (await attemptRow(attemptId)).flowState!;
    expect(sealed).toMatch(/^v1\./);
    const box = new SecretBox(parseKey(a.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    const at = { table: 'authorization_attempt', column: 'flowState' };
    expect(() => box.decryptJson(sealed, { ...at, rowId: 'another-attempt' })).toThrow();
    return box.decryptJson<FlowState>(sealed, { ...at, rowId: attemptId });
  }

  /** A secret of the flow must not be readable anywhere in the database. */
  async function expectNowhereInClear(secret: string) {
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(await dumpDatabase(a)).not.toContain(secret);
    expect(sqliteFileBytes(a).includes(Buffer.from(secret))).toBe(false);
  }

  test('OAuth 2.0: started on A, the callback lands on B and connects; the PKCE verifier is never stored in clear', async () => {
    const { attemptId, connection, browser, callbackOnB } = await startOnA('Across replicas', slugs.oauth2);
    const verifier = (await storedFlowState(attemptId)).grant?.code_verifier;
    expect(verifier).toEqual(expect.any(String));
    await expectNowhereInClear(verifier!);

    const page = await browser.get(callbackOnB);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Connected');
    const seen = ok(
      await b.gql('query($id: ID) { connection(id: $id) { status } }', { id: connection.id }, { token }),
    );
    expect(seen.connection.status).toBe('CONNECTED');
    // Nothing of the finished flow lingers in the row.
    expect((await attemptRow(attemptId)).flowState ?? null).toBeNull();
  });

  test('OAuth 1.0a: the request token secret crosses replicas sealed, and B finishes the access token step', async () => {
    const { attemptId, connection, browser, callbackOnB } = await startOnA('OAuth1 across', slugs.oauth1);
    const tokenSecret = (await storedFlowState(attemptId)).grant?.request?.oauth_token_secret;
    expect(tokenSecret).toEqual(expect.any(String));
    await expectNowhereInClear(tokenSecret!);

    const page = await browser.get(callbackOnB);
    expect(page.text).toContain('Connected');
    expect(oauth1.counts).toMatchObject({ requestToken: 1, accessToken: 1, rejected: 0 });
    const seen = ok(
      await a.gql('query($id: ID) { connection(id: $id) { status } }', { id: connection.id }, { token }),
    );
    expect(seen.connection.status).toBe('CONNECTED');
    expect((await attemptRow(attemptId)).flowState ?? null).toBeNull();
  });

  test('a replayed callback on the other replica finds no flow and changes nothing', async () => {
    const { browser, callbackOnB } = await startOnA('Replayed', slugs.oauth2);
    expect((await browser.get(callbackOnB)).text).toContain('Connected');
    const callbackOnA = new URL(callbackOnB);
    callbackOnA.port = new URL(a.url).port;
    const replay = await browser.get(callbackOnA.toString());
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('No authorization is in progress');
  });
});
