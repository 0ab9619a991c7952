import { generateKeyPairSync, createVerify } from 'node:crypto';
import {
  authorizationHeader,
  baseStringUri,
  computeSignature,
  normalizeParameters,
  oauth1ProtocolParams,
  signatureBaseString,
} from './oauth1';
import { percentEncode } from './percent';

// RFC 5849 section 3.4.1.1: the request, and (section 3.1) the client and token shared-secrets.
const RFC = {
  method: 'POST',
  url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
  body: 'c2&a3=2+q',
  keys: {
    consumerKey: '9djdj82h48djs9d2',
    consumerSecret: 'j49sk3j29djd',
    token: 'kkk9d7dh3k39sjv7',
    tokenSecret: 'dh893hdasih9',
  },
  nonce: '7d8f3e4a',
  timestamp: '137131201',
  baseString:
    'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
    '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
    'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
    'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
    '9d7dh3k39sjv7',
  // The RFC prints bYT5CMsGcbgUdFHObYMEfcx6bsw= here, which no secret reproduces: RFC Errata ID 2550
  // corrects it to the HMAC-SHA1 of the base string above under 'j49sk3j29djd&dh893hdasih9'.
  signature: 'r6/TJjbCOr97/+UU0NsvSne7s5g=',
};

describe('RFC 5849 section 3.4.1.1 example', () => {
  const form = [...new URLSearchParams(RFC.body)] as [string, string][];
  const protocol: [string, string][] = [
    ['oauth_consumer_key', RFC.keys.consumerKey],
    ['oauth_token', RFC.keys.token],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', RFC.timestamp],
    ['oauth_nonce', RFC.nonce],
  ];

  it('reproduces the base string exactly', () => {
    expect(signatureBaseString(RFC.method, RFC.url, [...protocol, ...form, ['realm', 'Example']])).toBe(
      RFC.baseString,
    );
  });

  it('reproduces the (errata-corrected) HMAC-SHA1 signature', () => {
    expect(computeSignature('HMAC-SHA1', RFC.baseString, RFC.keys)).toBe(RFC.signature);
  });

  it('produces the same signature end to end, without oauth_version as in the RFC', () => {
    const params = oauth1ProtocolParams({ method: 'POST', url: RFC.url, formParams: form }, RFC.keys, {
      nonce: RFC.nonce,
      timestamp: RFC.timestamp,
      includeVersion: false,
    });
    expect(Object.fromEntries(params).oauth_signature).toBe(RFC.signature);
    expect(authorizationHeader(params, 'Example')).toBe(
      'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ' +
        'oauth_signature="r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D"',
    );
  });
});

describe('RFC 5849 section 1.2 example (photos.example.net)', () => {
  it('reproduces the printed signature', () => {
    const params = oauth1ProtocolParams(
      { method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original' },
      {
        consumerKey: 'dpf43f3p2l4k3l03',
        consumerSecret: 'kd94hf93k423kf44',
        token: 'nnch734d00sl2jdk',
        tokenSecret: 'pfkkdhi9sl3r4s00',
      },
      { nonce: 'chapoH', timestamp: '137131202', includeVersion: false },
    );
    expect(Object.fromEntries(params).oauth_signature).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });
});

describe('base string details', () => {
  it('drops default ports, keeps others, lower-cases scheme and host (3.4.1.2)', () => {
    expect(baseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X');
    expect(baseStringUri('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/');
    expect(baseStringUri('https://api.example.com:443/x')).toBe('https://api.example.com/x');
    expect(baseStringUri('http://127.0.0.1:4567/request_token')).toBe('http://127.0.0.1:4567/request_token');
  });

  it('sorts by encoded name then encoded value (3.4.1.3.2)', () => {
    expect(
      normalizeParameters([
        ['b', '2'],
        ['a', 'z'],
        ['a', '1'],
        ['c@', ''],
        ['c2', ''],
      ]),
    ).toBe('a=1&a=z&b=2&c%40=&c2=');
  });

  it("percent-encodes per RFC 3986, including !*'()", () => {
    expect(percentEncode("a b!*'()~._-+/&=é")).toBe('a%20b%21%2A%27%28%29~._-%2B%2F%26%3D%C3%A9');
  });
});

describe('signature methods', () => {
  const base = 'GET&https%3A%2F%2Fapi.example.com%2F&a%3D1';
  const keys = { consumerKey: 'ck', consumerSecret: 'c s', tokenSecret: 't&s' };

  it('PLAINTEXT is the encoded key pair (3.4.4)', () => {
    expect(computeSignature('PLAINTEXT', base, keys)).toBe('c%20s&t%26s');
  });

  it('HMAC-SHA256 differs from HMAC-SHA1 and is 32 bytes', () => {
    const sha256 = computeSignature('HMAC-SHA256', base, keys);
    expect(Buffer.from(sha256, 'base64')).toHaveLength(32);
    expect(sha256).not.toBe(computeSignature('HMAC-SHA1', base, keys));
  });

  it('RSA-SHA1 verifies with the public key (3.4.3)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signature = computeSignature('RSA-SHA1', base, {
      consumerKey: 'ck',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    expect(createVerify('RSA-SHA1').update(base).verify(publicKey, signature, 'base64')).toBe(true);
    expect(createVerify('RSA-SHA1').update(`${base}x`).verify(publicKey, signature, 'base64')).toBe(false);
  });
});
