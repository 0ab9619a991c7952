import { Browser } from '@connections/auth-flows/test-support/browser';
import {
  type OAuth1Provider,
  startOAuth1Provider,
} from '@connections/auth-flows/test-support/oauth1-provider';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import type http from 'node:http';
import net from 'node:net';
import { request } from 'undici';
import {
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(90_000);

// Every auth type in every param type it supports, through invokeUrl and /proxy, against upstreams that
// check where the credentials arrived: API keys, Basic and OAuth 2.0 bearer tokens at a loopback server
// that refuses a request whose credential is missing, misplaced or duplicated (OAuth 2.0 tokens are checked
// live at the provider's userinfo endpoint), OAuth 1.0a at a provider that verifies the signature.

type ParamType = 'HEADERS' | 'QUERY_STRING' | 'FORM_DATA';
type Where = 'header' | 'query' | 'body';

const API_KEY = 'key-7c1f0e9a';
const BASIC = { username: 'alice', password: 'pw-basic-3d81' };
const OIDC_SECRET = 'oidc-client-secret-4411';
const CONSUMER = { key: 'cnx-consumer', secret: 'consumer-secret-9b2e' };

const INVOKE =
  'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status headers body bodyBase64 durationMs } }';

/** Where a credential must travel: RFC 6750 / 5849 section 3.5 / the service's parameter name. */
interface Placement {
  where: Where;
  /** Header, query or form parameter name. */
  name: string;
  /** Whether the value found there is the valid credential (may ask the provider). */
  valid: (value: string) => boolean | Promise<boolean>;
}

function placementOf(paramType: ParamType, isForm: boolean): Where {
  if (paramType === 'HEADERS') return 'header';
  if (paramType === 'QUERY_STRING') return 'query';
  // FORM_DATA: in the form body when the request sends a form, otherwise in the query.
  return isForm ? 'body' : 'query';
}

/**
 * The checking upstream: `/api/<link>/...` is judged by the placement registered for <link>. It answers
 * 200 with what it saw (minus the credential) when the credential is valid and in its place only, 401 with
 * the reason otherwise.
 */
async function startCheckingUpstream(placements: Map<string, (isForm: boolean) => Placement>) {
  const judge = async (req: http.IncomingMessage, body: string) => {
    const url = new URL(req.url!, 'http://upstream');
    const link = url.pathname.split('/')[2] ?? '';
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = new URLSearchParams(isForm ? body : '');
    const rule = placements.get(link)?.(isForm);
    if (!rule) return { ok: false, reason: `no placement for ${link}` };
    const found: Record<Where, string | null> = {
      header: (req.headers[rule.name.toLowerCase()] as string | undefined) ?? null,
      query: url.searchParams.get(rule.name),
      body: form.get(rule.name),
    };
    for (const where of ['header', 'query', 'body'] as Where[]) {
      if (where === rule.where) continue;
      // The caller's own headers (content-type...) never carry the credential's name, so any value here is
      // a copy in the wrong place.
      if (found[where] !== null) return { ok: false, reason: `${rule.name} also in the ${where}` };
    }
    const value = found[rule.where];
    if (value === null) return { ok: false, reason: `${rule.name} not in the ${rule.where}` };
    if (!(await rule.valid(value))) return { ok: false, reason: `${rule.name} is not valid` };
    url.searchParams.delete(rule.name);
    form.delete(rule.name);
    return {
      ok: true,
      where: rule.where,
      method: req.method,
      path: url.pathname,
      query: [...url.searchParams],
      form: [...form],
      body: isForm ? null : body,
    };
  };
  return startUpstream(async (req, res, body) => {
    const verdict = await judge(req, body);
    res.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(verdict));
  });
}

describe.each(databases())('invocations: credentials by auth type and param type (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let provider: OAuth1Provider;
  let upstream: Upstream;
  let token: string;
  const placements = new Map<string, (isForm: boolean) => Placement>();
  const links = new Map<string, string>();

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const createService = async (input: Record<string, unknown>) =>
    ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: input,
        },
        { token },
      ),
    ).createCustomService.slug as string;
  const createAndConnect = async (name: string, service: string, credentials?: Record<string, string>) => {
    const r = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { linkName status } } }',
        { i: { name, service, credentials } },
        { token },
      ),
    ).createAndConnect;
    if (r.connection.status !== 'CONNECTED') {
      const page = await new Browser().follow(r.authorizeUrl);
      expect(page.text).toContain('Connected');
    }
    return r.connection.linkName as string;
  };
  const bearerIsLive = async (accessToken: string) =>
    (await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } })).body
      .json()
      .then((b: any) => b.sub === 'user-42')
      .catch(() => false);

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    upstream = await startCheckingUpstream(placements);
    oidc = await startOidcServer([
      {
        client_id: 'connections',
        client_secret: OIDC_SECRET,
        redirect_uris: [`${t.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    provider = await startOAuth1Provider({ [CONSUMER.key]: { secret: CONSUMER.secret } });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "inv-creds"}) { token } }', {}, admin))
      .createApiToken.token;

    for (const paramType of ['HEADERS', 'QUERY_STRING', 'FORM_DATA'] as ParamType[]) {
      const p = paramType.toLowerCase();
      // API key: under its parameter name.
      const keyName = paramType === 'HEADERS' ? 'X-Api-Key' : 'api_key';
      const keyLink = `key_${p}`;
      placements.set(keyLink, (isForm) => ({
        where: placementOf(paramType, isForm),
        name: keyName,
        valid: (v) => v === API_KEY,
      }));
      const keySlug = await createService({
        name: `Key ${p}`,
        authType: 'API_KEY',
        paramType,
        apiKeyParamName: keyName,
        apiBaseUrls: [`${upstream.url}/api/${keyLink}/`],
      });
      links.set(`API_KEY ${paramType}`, await createAndConnect(`Key ${p}`, keySlug, { apiKey: API_KEY }));

      // OAuth 2.0: a bearer token in the header, access_token in the query or the form (RFC 6750 2).
      const oauth2Link = `oauth2_${p}`;
      placements.set(oauth2Link, (isForm) => {
        const where = placementOf(paramType, isForm);
        return where === 'header'
          ? {
              where,
              name: 'Authorization',
              valid: (v) => v.startsWith('Bearer ') && bearerIsLive(v.slice(7)),
            }
          : { where, name: 'access_token', valid: bearerIsLive };
      });
      const oauth2Slug = await createService({
        name: `OAuth2 ${p}`,
        authType: 'OAUTH2',
        paramType,
        authorizeUrl: oidc.authorizeUrl,
        accessTokenUrl: oidc.tokenUrl,
        profileUrl: oidc.userinfoUrl,
        clientId: 'connections',
        clientSecret: OIDC_SECRET,
        scopes: ['openid'],
        apiBaseUrls: [`${upstream.url}/api/${oauth2Link}/`],
      });
      links.set(`OAUTH2 ${paramType}`, await createAndConnect(`OAuth2 ${p}`, oauth2Slug));

      // OAuth 1.0a: the provider's resource verifies the signature wherever the parameters travel.
      const oauth1Slug = await createService({
        name: `OAuth1 ${p}`,
        authType: 'OAUTH1',
        paramType,
        requestTokenUrl: `${provider.url}/oauth/request_token`,
        authorizeUrl: `${provider.url}/oauth/authorize`,
        accessTokenUrl: `${provider.url}/oauth/access_token`,
        profileUrl: `${provider.url}/api/me`,
        clientId: CONSUMER.key,
        clientSecret: CONSUMER.secret,
        apiBaseUrls: [`${provider.url}/api/`],
      });
      links.set(`OAUTH1 ${paramType}`, await createAndConnect(`OAuth1 ${p}`, oauth1Slug));
    }
    placements.set('basic_headers', () => ({
      where: 'header',
      name: 'Authorization',
      valid: (v) => v === `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`,
    }));
    const basicSlug = await createService({
      name: 'Basic headers',
      authType: 'BASIC',
      paramType: 'HEADERS',
      apiBaseUrls: [`${upstream.url}/api/basic_headers/`],
    });
    links.set('BASIC HEADERS', await createAndConnect('Basic headers', basicSlug, BASIC));
  });
  afterAll(async () => {
    await provider?.close();
    await oidc?.stop();
    await upstream?.close();
    await t?.close();
  });

  const invoke = async (input: Record<string, unknown>, auth: Auth = { token }) => {
    const r = await t.gql(INVOKE, { i: input }, auth);
    if (r.errors) throw new Error(`invokeUrl failed: ${r.raw}`);
    return {
      status: r.data!.invokeUrl.status as number,
      json: JSON.parse(r.data!.invokeUrl.body),
      raw: r.raw,
    };
  };
  const proxy = async (path: string, init: RequestInit = {}, auth: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/proxy/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...auth, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text), raw: text, headers: res.headers };
  };
  const resource = (key: string) => (key.startsWith('OAUTH1') ? 'resource' : 'things');
  const expectArrived = (key: string, json: any, where: Where) => {
    if (key.startsWith('OAUTH1')) expect(json.oauthIn).toBe(where);
    else expect(json).toMatchObject({ ok: true, where });
  };

  const cases: [string, ParamType][] = [
    ['API_KEY', 'HEADERS'],
    ['API_KEY', 'QUERY_STRING'],
    ['API_KEY', 'FORM_DATA'],
    ['BASIC', 'HEADERS'],
    ['OAUTH2', 'HEADERS'],
    ['OAUTH2', 'QUERY_STRING'],
    ['OAUTH2', 'FORM_DATA'],
    ['OAUTH1', 'HEADERS'],
    ['OAUTH1', 'QUERY_STRING'],
    ['OAUTH1', 'FORM_DATA'],
  ];

  test.each(cases)('%s in %s: GET through invokeUrl and /proxy', async (authType, paramType) => {
    const key = `${authType} ${paramType}`;
    const link = links.get(key)!;
    const where = placementOf(paramType, false);
    const viaInvoke = await invoke({
      connection: link,
      url: `${resource(key)}?q=caf%C3%A9`,
      query: { n: '1' },
    });
    expect(viaInvoke.status).toBe(200);
    expectArrived(key, viaInvoke.json, where);
    const viaProxy = await proxy(`${link}/${resource(key)}?q=caf%C3%A9&n=1`);
    expect(viaProxy.status).toBe(200);
    expectArrived(key, viaProxy.json, where);
    // The caller's own parameters arrive untouched beside the credential.
    for (const json of [viaInvoke.json, viaProxy.json]) {
      const params = key.startsWith('OAUTH1') ? json.params : json.query;
      expect(params).toEqual([
        ['q', 'café'],
        ['n', '1'],
      ]);
    }
  });

  test.each(cases)('%s in %s: a form POST through invokeUrl and /proxy', async (authType, paramType) => {
    const key = `${authType} ${paramType}`;
    const link = links.get(key)!;
    const where = placementOf(paramType, true);
    const viaInvoke = await invoke({
      connection: link,
      url: resource(key),
      method: 'POST',
      form: { note: 'a b' },
    });
    const viaProxy = await proxy(`${link}/${resource(key)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'note=a+b',
    });
    for (const r of [viaInvoke, viaProxy]) {
      expect(r.status).toBe(200);
      expectArrived(key, r.json, where);
      // OAuth 1.0a signs the form (RFC 5849 3.4.1.3.1): the provider verified it with this field in it.
      const fields = key.startsWith('OAUTH1') ? r.json.params : r.json.form;
      expect(fields).toEqual([['note', 'a b']]);
    }
  });

  test.each(cases.filter(([a]) => a !== 'OAUTH1'))(
    '%s in %s: a JSON body streams through /proxy and is sent as given by invokeUrl',
    async (authType, paramType) => {
      const key = `${authType} ${paramType}`;
      const link = links.get(key)!;
      // A non-form body cannot carry parameters: FORM_DATA credentials fall back to the query.
      const where = paramType === 'HEADERS' ? 'header' : 'query';
      const body = JSON.stringify({ hello: 'world' });
      const headers = { 'content-type': 'application/json' };
      const viaInvoke = await invoke({ connection: link, url: 'things', method: 'PUT', headers, body });
      const viaProxy = await proxy(`${link}/things`, { method: 'PUT', headers, body });
      for (const r of [viaInvoke, viaProxy]) {
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({ ok: true, where, method: 'PUT', body });
      }
    },
  );

  test('a raw body without a content type through /proxy still carries FORM_DATA credentials', async () => {
    // Nothing says the streamed bytes are a form, so the key cannot be appended to them: it goes in the query.
    for (const key of ['API_KEY FORM_DATA', 'OAUTH2 FORM_DATA']) {
      const r = await proxy(`${links.get(key)}/things`, { method: 'POST', body: Buffer.from('raw bytes') });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ ok: true, where: 'query', body: 'raw bytes' });
    }
  });

  test('a bare POST through /proxy (no body, no Content-Length) carries FORM_DATA credentials in a form', async () => {
    // What `curl -X POST` sends: fetch would add Content-Length: 0, so the request is written by hand.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        `POST /proxy/${links.get('API_KEY FORM_DATA')}/things HTTP/1.1\r\nHost: x\r\n` +
          `Authorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      );
    });
    // 200: the upstream found the key in a form body (it answers 401 otherwise).
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    const seen = upstream.seen.at(-1)!;
    expect(seen.body).toBe(`api_key=${API_KEY}`);
    expect(seen.headers['transfer-encoding']).toBeUndefined();
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  test("/proxy with the console session works too, and neither the caller's token nor cookie reaches upstream", async () => {
    const admin = await t.adminAuth();
    const link = links.get('API_KEY HEADERS')!;
    upstream.seen.length = 0;
    // A cookie alone could come from a cross-site navigation: refused before any upstream request.
    const forged = await fetch(`${t.url}/proxy/${link}/things`, { headers: { cookie: admin.cookie! } });
    expect(forged.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
    const bySession = await fetch(`${t.url}/proxy/${link}/things`, {
      headers: { cookie: admin.cookie!, 'x-connections-proxy': '1' },
    });
    expect(bySession.status).toBe(200);
    await proxy(`${link}/things`);
    expect(upstream.seen).toHaveLength(2);
    const everything = JSON.stringify(upstream.seen);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(admin.cookie!.split('=')[1]);
    // Without a caller: refused before any upstream request.
    const anonymous = await fetch(`${t.url}/proxy/${link}/things`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe('UNAUTHENTICATED');
    expect(upstream.seen).toHaveLength(2);
  });

  test('no credential appears in an invocation result, the audit log or the metrics', async () => {
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "connection.invoked"}, first: 100) { nodes { message metadata } } }',
      {},
      { token },
    );
    expect(audit.data!.auditEvents.nodes.length).toBeGreaterThanOrEqual(40);
    const metrics = await t.metrics();
    for (const secret of [API_KEY, BASIC.password, OIDC_SECRET, CONSUMER.secret, 'caf', 'note'])
      expect(audit.raw + metrics).not.toContain(secret);
    for (const text of t.transcript)
      for (const secret of [API_KEY, BASIC.password]) expect(text).not.toContain(secret);
  });
});
