import type { Credentials, ServiceDefinition } from '@connections/auth-flows';
import { PassThrough } from 'node:stream';
import { MockAgent } from 'undici';
import type { Config } from '../config';
import { AppError } from '../errors';
import { type InvocationInput, parseInvocation, prepareRequest } from './invocation-request';
import { InvocationsService } from './invocations';
import type { Viewer } from './viewer';

const BASE = 'https://api.acme.example/v1/';
const input = (over: Partial<InvocationInput> = {}): InvocationInput => ({
  linkName: 'acme',
  url: 'items',
  method: 'get',
  ...over,
});
/** The AppError a parse throws, or undefined. */
const refusal = (fn: () => unknown): AppError | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
};

describe('parseInvocation: the caller’s mistakes, named', () => {
  it('refuses a method outside the list', () => {
    const e = refusal(() => parseInvocation(input({ method: 'TRACE' })));
    expect(e?.code).toBe('BAD_USER_INPUT');
    expect(e?.details).toEqual({ field: 'method' });
    expect(parseInvocation(input({ method: 'patch' })).method).toBe('PATCH');
  });

  it('refuses a body and a form together', () => {
    const e = refusal(() => parseInvocation(input({ method: 'POST', body: 'x', form: { a: 'b' } })));
    expect(e?.code).toBe('BAD_USER_INPUT');
    expect(e?.details).toEqual({ field: 'form' });
  });

  it.each([
    ['headers', { headers: { 'X-Ok': 'yes', 'X-Bad': { nested: 1 } } }, 'headers.X-Bad: must be a string'],
    ['headers', { headers: { 'X-List': ['a', 'b'] } }, 'headers.X-List: must be a string'],
    ['query', { query: { q: ['a', null] } }, 'query.q: must be a string or a list of strings'],
    [
      'form',
      { method: 'POST', form: { f: { deep: true } } },
      'form.f: must be a string or a list of strings',
    ],
  ])('refuses a %s value that is not a string, naming it', (field, over, message) => {
    const e = refusal(() => parseInvocation(input(over as unknown as Partial<InvocationInput>)));
    expect(e?.code).toBe('BAD_USER_INPUT');
    expect(e?.message).toBe(message);
    expect(e?.details).toEqual({ field });
  });

  it('refuses a URL that is neither absolute nor a path under the API base URL', () => {
    const e = refusal(() => prepareRequest(parseInvocation(input({ url: 'items' })), undefined));
    expect(e?.details).toEqual({ field: 'url' });
  });
});

describe('parseInvocation: the request that goes upstream', () => {
  it('drops hop-by-hop headers, those the Connection header names, and the caller’s own credentials', () => {
    const { headers } = parseInvocation(
      input({
        headers: {
          Connection: 'X-Hop, keep-alive',
          'X-Hop': 'only for the next hop',
          'Keep-Alive': 'timeout=5',
          TE: 'trailers',
          Host: 'caller.example',
          Authorization: 'Bearer caller-token',
          Cookie: 'session=caller',
          'X-Forwarded-For': '10.0.0.1',
          Expect: '100-continue',
          'Content-Length': '3',
          Accept: 'application/json',
          'X-Trace': 'abc',
        },
      }),
    );
    expect(headers).toEqual({ accept: 'application/json', 'x-trace': 'abc' });
  });

  it('appends the query to the URL resolved against the API base URL, after the query already there', () => {
    const parsed = parseInvocation(input({ url: '/items?a=1', query: { b: ['2', '3'], c: 'x y' } }));
    expect(prepareRequest(parsed, BASE).request.url).toBe(
      'https://api.acme.example/v1/items?a=1&b=2&b=3&c=x+y',
    );
    expect(prepareRequest(parsed, 'https://api.acme.example/v1').request.url).toMatch(/^.*\/v1\/items\?/);
    const absolute = parseInvocation(input({ url: 'https://other.acme.example/x', query: { q: '1' } }));
    expect(prepareRequest(absolute, BASE).request.url).toBe('https://other.acme.example/x?q=1');
  });

  it('encodes a form once, per RFC 3986, and declares it', () => {
    const { request } = prepareRequest(
      parseInvocation(input({ method: 'POST', form: { 'a b': "it's (!*)~", list: ['1', '2'] } })),
      BASE,
    );
    expect(request.body).toBe('a%20b=it%27s%20%28%21%2A%29~&list=1&list=2');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('sends bytes and streams as they are, opaque unless the caller said otherwise', () => {
    const bytes = prepareRequest(parseInvocation(input({ method: 'PUT', body: Buffer.from('raw') })), BASE);
    expect(bytes.bytes?.toString()).toBe('raw');
    expect(bytes.request.body).toBeUndefined();
    expect(bytes.request.headers['content-type']).toBe('application/octet-stream');
    const stream = new PassThrough();
    const streamed = prepareRequest(
      parseInvocation(input({ method: 'POST', stream, headers: { 'Content-Type': 'text/csv' } })),
      BASE,
    );
    expect(streamed.stream).toBe(stream);
    expect(streamed.request.headers['content-type']).toBe('text/csv');
    const text = parseInvocation(input({ method: 'POST', body: '{"a":1}' }));
    expect(text.body).toBe('{"a":1}');
    expect(text.headers['content-type']).toBeUndefined();
  });
});

describe('InvocationsService.send parses the input once per call', () => {
  const service: ServiceDefinition = {
    slug: 'acme',
    displayName: 'Acme',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: 'https://acme.example/authorize',
    accessTokenUrl: 'https://acme.example/token',
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: [BASE],
  };
  const stale: Credentials = {
    type: 'OAUTH2',
    accessToken: 'stale',
    refreshToken: 'refresh',
    tokenType: 'bearer',
    scopes: [],
  };
  const fresh: Credentials = { ...stale, accessToken: 'fresh' };
  const viewer = { userId: 'u1', workspaceId: 'w1' } as Viewer;

  /** A map whose enumerations are counted: each parse of it enumerates it once. */
  const counted = <T extends object>(map: T, reads: { n: number }): T =>
    new Proxy(map, {
      ownKeys(target) {
        reads.n += 1;
        return Reflect.ownKeys(target);
      },
    });

  const call = async (statuses: number[]) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen: { authorization: unknown; body: unknown }[] = [];
    for (const status of statuses)
      agent
        .get('https://api.acme.example')
        .intercept({ path: '/v1/items?q=1', method: 'POST' })
        .reply(status, (opts) => {
          const headers = Object.entries(opts.headers as Record<string, string>);
          const authorization = headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
          seen.push({ authorization, body: opts.body });
          return 'ok';
        });
    const refresh = jest.fn(async () => fresh);
    const invocations = new InvocationsService(
      {
        usable: async () => ({ authorization: { id: 'a1', status: 'CONNECTED' }, credentials: stale }),
      } as never,
      { protocolFor: () => ({ definition: service, client: null }) } as never,
      { findVisible: async () => ({ id: 'c1', linkName: 'acme', ownerId: 'u1' }) } as never,
      { wanted: () => false, refresh, used: () => undefined } as never,
      { record: async () => undefined, enqueue: () => undefined } as never,
      { invocations: { inc: () => undefined }, upstreamLatency: { observe: () => undefined } } as never,
      agent,
      { invocation: { allowPrivateNetworks: false, timeoutMs: 5000 } } as Config,
      { error: () => undefined } as never,
      () => 'http://localhost',
    );
    const reads = { n: 0 };
    const reply = await invocations.send(viewer, {
      linkName: 'acme',
      url: 'items',
      method: 'POST',
      headers: counted({ 'X-Trace': 'abc' }, reads),
      query: counted({ q: '1' }, reads),
      form: counted({ name: 'a b' }, reads),
    });
    await reply.body.dump();
    reply.done();
    await agent.close();
    return { status: reply.status, reads: reads.n, seen, refresh };
  };

  it('reads each map once, whether or not the call is retried after a 401', async () => {
    const once = await call([200]);
    expect(once.seen).toHaveLength(1);
    const retried = await call([401, 200]);
    expect(retried.status).toBe(200);
    expect(retried.refresh).toHaveBeenCalledTimes(1);
    expect(retried.seen.map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(retried.seen.map((s) => s.body)).toEqual(['name=a%20b', 'name=a%20b']);
    // headers, query and form: one enumeration each, the retry parses nothing again.
    expect(once.reads).toBe(3);
    expect(retried.reads).toBe(3);
  });
});
