import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** Every address of a name (the guarded lookup judges them all), as `dns.lookup(..., {all: true})` gives. */
export type ResolveAll = (
  hostname: string,
  options: { family?: number; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolveAll: ResolveAll = (hostname, options, callback) =>
  dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, callback);

/**
 * The system resolver's answers kept for `ttlMs` (at most `maxEntries` names, the oldest dropped first), so
 * that a new upstream connection does not wait for DNS each time (keep-alive pools open one whenever their
 * idle sockets are gone). Only answers are cached, never a decision: the guarded lookup applies the address
 * policy to the cached answer on every use, and a name that now resolves to a refused address is refused once
 * its entry expires. getaddrinfo (what `dns.lookup` uses, so /etc/hosts and the system's resolver
 * configuration keep working) does not report a record's TTL: `ttlMs` is the deployment's bound
 * (CONNECTIONS_DNS_CACHE_SECONDS), kept at or below the TTLs an API's records usually carry. Failures are not
 * cached.
 */
export function cachedResolver(
  ttlMs: number,
  resolve: ResolveAll = systemResolveAll,
  now: () => number = Date.now,
  maxEntries = 1_000,
): ResolveAll {
  if (ttlMs <= 0) return resolve;
  const entries = new Map<string, { addresses: LookupAddress[]; expiresAt: number }>();
  return (hostname, options, callback) => {
    const key = `${options.family ?? 0}/${hostname.toLowerCase()}`;
    const hit = entries.get(key);
    if (hit && hit.expiresAt > now()) return callback(null, hit.addresses);
    entries.delete(key);
    resolve(hostname, options, (err, addresses) => {
      if (!err && addresses.length) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(key, { addresses, expiresAt: now() + ttlMs });
      }
      callback(err, addresses);
    });
  };
}
