import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { INVOKE_HTTP_BODY_LIMIT } from '../graphql/invoke-body-limit';
import { MAX_REQUEST_BYTES } from './invocation-body';

jest.setTimeout(60_000);

// invokeUrl's bodies (issue 14): multipart with files, binary, forms on GET, the size limit; and responses
// decoded by their declared charset. Each against a loopback upstream that records the raw bytes it got.

const INVOKE =
  'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body bodyBase64 url attempts } }';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
}

describe.each(databases())('invokeUrl bodies (%s)', (db) => {
  let t: TestServer;
  let token: string;
  let upstream: Upstream;
  let link: string;
  const received: Received[] = [];
  /** What the upstream answers next: set per test. */
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const invoke = (extra: Record<string, unknown>) =>
    t.gql(INVOKE, { i: { connection: link, url: 'x', ...extra } }, { token });

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "bodies"}) { token } }', {}, admin))
      .createApiToken.token;
    upstream = await startUpstream(
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            method: req.method!,
            url: req.url!,
            headers: req.headers,
            bytes: Buffer.concat(chunks),
          });
          answer(req, res);
        });
      },
      { streaming: true },
    );
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Bodies',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${upstream.url}/api/`],
          },
        },
        { token },
      ),
    ).createCustomService.slug;
    link = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
        { i: { name: 'Bodies', service: slug, credentials: { apiKey: 'bodies-key' } } },
        { token },
      ),
    ).createAndConnect.connection.linkName;
  });
  beforeEach(() => {
    received.length = 0;
    answer = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  afterAll(async () => {
    await upstream?.close();
    await t?.close();
  });

  test('a multipart body carries the form fields and two files, byte for byte', async () => {
    const one = randomBytes(70_000); // every byte value, CR LF and "--" sequences included by chance
    const two = Buffer.from('second file\r\n--not-a-boundary\r\n');
    const r = ok(
      await invoke({
        method: 'POST',
        form: { note: 'café', tags: ['a', 'b'] },
        files: [
          { field: 'upload', filename: 'one.bin', contentBase64: one.toString('base64') },
          {
            field: 'upload',
            filename: 'two "q".txt',
            contentType: 'text/plain',
            contentBase64: two.toString('base64'),
          },
        ],
      }),
    );
    expect(r.invokeUrl.status).toBe(200);
    const [seen] = received;
    expect(seen!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen!.headers['x-key']).toBe('bodies-key');
    // Parsed by an independent reader (undici's FormData parser, as fetch's Response.formData does).
    const form = await new Response(seen!.bytes, {
      headers: { 'content-type': seen!.headers['content-type']! },
    }).formData();
    expect(form.get('note')).toBe('café');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
    const files = form.getAll('upload') as File[];
    // The quote travels percent-encoded (RFC 7578 4.2, as browsers do) and the reader decodes it.
    expect(files.map((f) => f.name)).toEqual(['one.bin', 'two "q".txt']);
    expect(seen!.bytes.toString('latin1')).toContain('filename="two %22q%22.txt"');
    expect(files.map((f) => f.type)).toEqual(['application/octet-stream', 'text/plain']);
    expect(Buffer.from(await files[0]!.arrayBuffer()).equals(one)).toBe(true);
    expect(Buffer.from(await files[1]!.arrayBuffer()).equals(two)).toBe(true);
  });

  test('a binary body is sent as its bytes with its content type', async () => {
    const bytes = randomBytes(4096);
    ok(await invoke({ method: 'PUT', bodyBase64: bytes.toString('base64'), contentType: 'image/png' }));
    expect(received[0]!.headers['content-type']).toBe('image/png');
    expect(received[0]!.bytes.equals(bytes)).toBe(true);
    const r = await invoke({ method: 'PUT', bodyBase64: 'not base64!' });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bodyBase64' });
  });

  test('past the size limit: PAYLOAD_TOO_LARGE naming it, nothing sent', async () => {
    const before = upstream.accepted();
    const big = Buffer.alloc(MAX_REQUEST_BYTES + 1, 1).toString('base64');
    const r = await invoke({ method: 'POST', bodyBase64: big });
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      limitBytes: MAX_REQUEST_BYTES,
    });
    expect(r.errors?.[0]?.message).toContain(String(MAX_REQUEST_BYTES));
    // Two files within the limit each, past it together.
    const half = Buffer.alloc(MAX_REQUEST_BYTES / 2 + 10, 2).toString('base64');
    const files = [1, 2].map((n) => ({ field: 'f', filename: `${n}.bin`, contentBase64: half }));
    const both = await invoke({ method: 'POST', files });
    expect(both.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstream.accepted()).toBe(before);
  });

  test('the larger GraphQL body limit is for invokeUrl only, and for a signed-in caller', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const other = await t.gql('query($p: String) { viewer { id } }', { p: padding }, { token });
    // As the 1 MB parser always refused it.
    expect(other.status).toBe(413);
    expect(other.errors?.[0]).toMatchObject({
      message: 'The request body is too large.',
      extensions: { code: 'BAD_REQUEST' },
    });
    const anonymous = await t.gql(INVOKE, { i: { connection: link, url: 'x', body: padding } });
    expect(anonymous.status).toBe(413);
    const over = await invoke({ method: 'POST', body: 'x'.repeat(INVOKE_HTTP_BODY_LIMIT + 1) });
    expect(over.status).toBe(413);
    expect(over.errors?.[0]?.extensions).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      limitBytes: INVOKE_HTTP_BODY_LIMIT,
    });
    // The same size in an invokeUrl by an API token goes through.
    const r = ok(await invoke({ method: 'POST', body: padding, contentType: 'text/plain' }));
    expect(r.invokeUrl.status).toBe(200);
    expect(received[0]!.bytes.length).toBe(padding.length);
  });

  test('a form on GET, HEAD or DELETE goes in the query string, never a body', async () => {
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      received.length = 0;
      ok(await invoke({ method, query: { q: '1' }, form: { name: 'a b', list: ['x', 'y'] } }));
      expect(received[0]).toMatchObject({ method, url: '/api/x?q=1&name=a+b&list=x&list=y' });
      expect(received[0]!.bytes.length).toBe(0);
      expect(received[0]!.headers['content-type']).toBeUndefined();
    }
    const files = await invoke({
      method: 'GET',
      files: [{ field: 'f', filename: 'a', contentBase64: 'YQ==' }],
    });
    expect(files.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'files' });
  });

  test('text and JSON are decoded by their declared charset; binary stays base64', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    answer = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' }).end(latin1);
    expect(ok(await invoke({})).invokeUrl).toMatchObject({ body: 'café', bodyBase64: false });
    const json = Buffer.from('{"name":"caf\xe9"}', 'latin1');
    answer = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'application/json; charset="iso-8859-1"' }).end(json);
    expect(JSON.parse(ok(await invoke({})).invokeUrl.body)).toEqual({ name: 'café' });
    const png = randomBytes(64);
    answer = (_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    const binary = ok(await invoke({})).invokeUrl;
    expect(binary.bodyBase64).toBe(true);
    expect(Buffer.from(binary.body, 'base64').equals(png)).toBe(true);
    // A charset nobody can decode: the bytes, base64, rather than a guess.
    answer = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'text/plain; charset=x-unknown' }).end(latin1);
    const unknown = ok(await invoke({})).invokeUrl;
    expect(unknown.bodyBase64).toBe(true);
    expect(Buffer.from(unknown.body, 'base64').equals(latin1)).toBe(true);
  });
});
