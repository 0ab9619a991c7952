import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../errors';
import { sha256 } from './secrets';

/**
 * A guess counter with backoff: `free` attempts per key within `windowSeconds`, then one attempt at a time
 * with a wait that doubles from `minWaitSeconds` up to `maxWaitSeconds`. Declared here, where it is used;
 * implemented in memory (one process) or over Redis (replicas share the counters), in cluster/.
 */
export interface BackoffPolicy {
  /** Names the counters in the store. */
  name: string;
  free: number;
  windowSeconds: number;
  minWaitSeconds: number;
  maxWaitSeconds: number;
}

export interface Throttle {
  /**
   * Takes an attempt for `key` before the guess is checked (so concurrent guesses cannot all slip through):
   * 0 when it may go ahead, otherwise the seconds to wait, and nothing was taken.
   */
  attempt(key: string): Promise<number>;
  /** The guess was wrong: past the free attempts, the wait before the next one starts from now. */
  failed(key: string): Promise<void>;
  /** The guess was right: the key's failures are forgotten (an account after its own correct password). */
  reset(key: string): Promise<void>;
  /** The attempt did not count after all (a right guess from an address, or an attempt refused elsewhere). */
  refund(key: string): Promise<void>;
}

export type ThrottleFactory = (policy: BackoffPolicy) => Throttle;

/**
 * Sign-in (and changePassword's current password). Per account: 5 wrong passwords a day for free, then
 * 1 s, 2 s, 4 s ... up to 15 minutes between attempts, until the right password resets it. Per client
 * address: 20 failures an hour (an office behind one NAT mistypes too; right passwords do not count), then
 * the same backoff; it slows one address spraying many accounts. Unknown emails count like known ones, so
 * the answer never tells which accounts exist.
 */
export const SIGN_IN_POLICIES = {
  account: { name: 'signin-account', free: 5, windowSeconds: 86_400, minWaitSeconds: 1, maxWaitSeconds: 900 },
  address: { name: 'signin-address', free: 20, windowSeconds: 3_600, minWaitSeconds: 1, maxWaitSeconds: 900 },
} satisfies Record<string, BackoffPolicy>;

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(
    'RATE_LIMITED',
    `Too many attempts. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    { retryAfterSeconds },
  );

/** The store sees a hash, never an email. */
export const accountKey = (email: string) => sha256(email.trim().toLowerCase());

/**
 * IPv6 hosts usually get a whole /64: counting single addresses would give an attacker 2^64 fresh keys, so an
 * IPv6 client is its /64. An IPv4-mapped address is the IPv4 address. Unknown (no address): one shared key.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
