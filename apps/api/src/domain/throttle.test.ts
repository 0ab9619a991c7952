import { accountKey, addressKey } from './throttle';

describe('throttle keys', () => {
  test('an account is its normalised email, hashed', () => {
    expect(accountKey(' Admin@Example.com ')).toBe(accountKey('admin@example.com'));
    expect(accountKey('admin@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an IPv6 client is its /64; an IPv4-mapped address is the IPv4 address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
