import express from 'express';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { plainJsonBody } from './json-body';

// Issue 15: the plain-JSON reader must be body-parser (express.json(), strict) for every body it takes. Two
// servers on loopback read the same bytes, one with each, and answer with what they got; a third records
// which requests the reader declines (body-parser then reads them in production).

const LIMIT = 1024;
type Outcome = { body: unknown } | { status: unknown; type: unknown } | { declined: true };

const answer = (res: ServerResponse, outcome: Outcome) => res.end(JSON.stringify(outcome));
const failed = (err: unknown): Outcome => {
  const { status, type } = err as { status?: unknown; type?: unknown };
  return { status, type };
};

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return new Promise<{ url: string; server: http.Server }>((resolve) => {
    const server = http.createServer(handler).listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
    });
  });
}

describe('plainJsonBody reads what express.json() reads', () => {
  const servers: http.Server[] = [];
  let lean = '';
  let parser = '';

  beforeAll(async () => {
    const ours = await listen((req, res) => {
      const read = plainJsonBody(req, LIMIT);
      if (!read) return answer(res, { declined: true });
      read.then(
        (body) => answer(res, { body }),
        (err) => answer(res, failed(err)),
      );
    });
    const jsonParser = express.json({ limit: LIMIT });
    const theirs = await listen((req, res) =>
      jsonParser(req as express.Request, res as express.Response, (err?: unknown) =>
        answer(res, err ? failed(err) : { body: (req as { body?: unknown }).body }),
      ),
    );
    servers.push(ours.server, theirs.server);
    lean = ours.url;
    parser = theirs.url;
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  const send = async (base: string, body: Buffer | string, contentType: string, extra = {}) => {
    const r = await request(base, {
      method: 'POST',
      headers: { 'content-type': contentType, ...extra },
      body,
    });
    return (await r.body.json()) as Outcome;
  };

  const same: [string, Buffer | string][] = [
    ['an object', '{"query":"{ viewer { id } }","variables":{"a":[1,2,{"b":null}]}}'],
    ['an array', '[{"query":"a"},{"query":"b"}]'],
    ['whitespace before the object', ' \n\t{"a":1}'],
    ['a byte-order mark', '\ufeff{"a":"b"}'],
    ['non-ASCII text', '{"name":"Zoë — 東京 🚀"}'],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    ],
    ['an empty body', ''],
    ['only whitespace', '   '],
    ['a string (strict mode)', '"just a string"'],
    ['a number (strict mode)', '42'],
    ['null (strict mode)', 'null'],
    ['malformed JSON', '{"a":'],
    ['trailing garbage', '{"a":1} x'],
  ];

  test.each(same)('%s', async (_, body) => {
    const expected = await send(parser, body, 'application/json');
    expect(await send(lean, body, 'application/json')).toEqual(expected);
    // Both spellings of the charset the reader takes.
    expect(await send(lean, body, 'Application/JSON; charset="UTF-8"')).toEqual(expected);
    expect(await send(lean, body, 'application/json;charset=utf-8')).toEqual(expected);
  });

  test('a body it cannot parse fails with body-parser’s status and type', async () => {
    expect(await send(lean, '{"a":', 'application/json')).toEqual({
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(await send(lean, 'true', 'application/json')).toEqual({
      status: 400,
      type: 'entity.parse.failed',
    });
  });

  test('declines what body-parser must read: other types and charsets, compression, chunks, past the limit', async () => {
    const body = '{"a":1}';
    expect(await send(lean, body, 'application/graphql-response+json')).toEqual({ declined: true });
    expect(await send(lean, body, 'text/plain')).toEqual({ declined: true });
    expect(await send(lean, body, 'application/json; charset=utf-16')).toEqual({ declined: true });
    expect(await send(lean, body, 'application/json', { 'content-encoding': 'gzip' })).toEqual({
      declined: true,
    });
    expect(await send(lean, 'x'.repeat(LIMIT + 1), 'application/json')).toEqual({ declined: true });
    // A streamed body has no declared length: undici sends it chunked.
    const chunked = await request(lean, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(body)]),
    });
    expect(await chunked.body.json()).toEqual({ declined: true });
    // At the limit exactly, it reads.
    const atLimit = JSON.stringify({ a: 'x'.repeat(LIMIT - 8) });
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    expect(await send(lean, atLimit, 'application/json')).toEqual(
      await send(parser, atLimit, 'application/json'),
    );
  });
});
