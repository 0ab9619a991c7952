import { responseHeaders } from './invocation-reply';

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
