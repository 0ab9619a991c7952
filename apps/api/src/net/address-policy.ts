import { BlockList, isIP } from 'node:net';

/**
 * Addresses an invocation must never reach unless the deployment allows private networks: loopback,
 * private, link-local (which holds the cloud metadata services at 169.254.169.254), carrier-grade NAT,
 * unique-local, multicast and reserved ranges. IPv4 embedded in IPv6 (mapped, NAT64, 6to4) is judged as the
 * IPv4 address it carries, so ::ffff:127.0.0.1 is loopback.
 */
const v4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  v4.addSubnet(net, bits, 'ipv4');

const v6 = new BlockList();
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
] as const)
  v6.addSubnet(net, bits, 'ipv6');

function expandV6(address: string): number[] | null {
  let text = address
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .split('%')[0]!;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    text =
      text.slice(0, -dotted[1]!.length) +
      `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? h.length !== 8 : missing < 0) return null;
  const all = [...h, ...Array(tail === undefined ? 0 : missing).fill('0'), ...t].map((x) =>
    parseInt(x || '0', 16),
  );
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : null;
}

/** The IPv4 address carried by an IPv6 address (mapped, compatible, NAT64 64:ff9b::/96, 6to4), if any. */
export function embeddedIPv4(address: string): string | null {
  const h = expandV6(address);
  if (!h) return null;
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && h[5] === 0xffff) return quad(h[6]!, h[7]!); // ::ffff:a.b.c.d
  if (zeros(0, 6) && (h[6] !== 0 || h[7]! > 1)) return quad(h[6]!, h[7]!); // ::a.b.c.d (deprecated)
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return quad(h[6]!, h[7]!); // NAT64
  if (h[0] === 0x2002) return quad(h[1]!, h[2]!); // 6to4
  return null;
}

/** Why an address is refused, or null when it is a public unicast address. */
export function forbiddenReason(address: string): string | null {
  const family = isIP(address.replace(/^\[|\]$/g, ''));
  if (family === 4)
    return v4.check(address, 'ipv4')
      ? `${address} is a private, loopback, link-local or reserved address`
      : null;
  if (family === 6) {
    const bare = address.replace(/^\[|\]$/g, '');
    const inner = embeddedIPv4(bare);
    if (inner) return forbiddenReason(inner) ? `${bare} carries ${inner}, which is not public` : null;
    return v6.check(bare, 'ipv6')
      ? `${bare} is a loopback, unique-local, link-local or reserved address`
      : null;
  }
  return `${address} is not an IP address`;
}
