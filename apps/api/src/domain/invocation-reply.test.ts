import { responseHeaders } from './invocation-reply';
import { connectionOptions } from './invocation-proxy-headers';

describe('responseHeaders', () => {
  test('drops hop-by-hop fields, those the Connection field names, and Set-Cookie; keeps the rest', () => {
    expect(
      responseHeaders({
        'content-type': 'application/json',
        Connection: 'X-Hop, close',
        'x-hop': 'gone',
        'Keep-Alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
        'x-request-id': 'r1',
        link: ['<a>; rel=next', '<b>; rel=last'],
        'x-absent': undefined,
      }),
    ).toEqual({
      'content-type': 'application/json',
      'x-request-id': 'r1',
      link: ['<a>; rel=next', '<b>; rel=last'],
    });
  });

  test('a response without a Connection field loses only the fixed hop-by-hop ones', () => {
    expect(responseHeaders({ etag: '"v1"', upgrade: 'h2c' })).toEqual({ etag: '"v1"' });
  });
});

describe('connectionOptions', () => {
  test('names from one value, several values and several fields, lower-cased and trimmed', () => {
    expect([...connectionOptions({ connection: ' X-A ,x-b' })].sort()).toEqual(['x-a', 'x-b']);
    expect([...connectionOptions({ Connection: ['x-a', 'X-C, x-d'] })].sort()).toEqual(['x-a', 'x-c', 'x-d']);
    expect([...connectionOptions({ connection: 'x-a', CONNECTION: 'x-e' })].sort()).toEqual(['x-a', 'x-e']);
    expect(connectionOptions({ 'content-type': 'text/plain', connectiom: 'x-a' }).size).toBe(0);
  });

  test('the same value gives the same set again, and a remembered set is never added to', () => {
    const first = connectionOptions({ connection: 'keep-alive' });
    expect(connectionOptions({ connection: 'keep-alive' })).toBe(first);
    expect([...first]).toEqual(['keep-alive']);
    // A combined answer is a set of its own: the remembered ones are never added to.
    const combined = connectionOptions({ connection: ['keep-alive', 'x-f'] });
    expect([...combined].sort()).toEqual(['keep-alive', 'x-f']);
    expect([...connectionOptions({ connection: 'keep-alive' })]).toEqual(['keep-alive']);
  });
});
