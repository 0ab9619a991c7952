import { embeddedIPv4, forbiddenReason } from './address-policy';

describe('address policy', () => {
  test.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '[::1]',
  ])('refuses %s', (address) => {
    expect(forbiddenReason(address)).not.toBeNull();
  });

  test.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows %s', (address) => {
    expect(forbiddenReason(address)).toBeNull();
  });

  test('host names are not addresses: they must be resolved first', () => {
    expect(forbiddenReason('localhost')).toMatch(/not an IP address/);
  });

  test('numeric host forms are normalised by the URL parser before the check', () => {
    for (const host of ['2130706433', '0177.0.0.1', '0x7f.0.0.1', '127.1', '0x7f000001']) {
      const hostname = new URL(`http://${host}/`).hostname;
      expect(hostname).toBe('127.0.0.1');
      expect(forbiddenReason(hostname)).not.toBeNull();
    }
  });

  test('embedded IPv4 forms', () => {
    expect(embeddedIPv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(embeddedIPv4('64:ff9b::0a01:0203')).toBe('10.1.2.3');
    expect(embeddedIPv4('2001:4860::1')).toBeNull();
  });
});
