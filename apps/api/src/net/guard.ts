import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { forbiddenReason } from './address-policy';

export class AddressNotAllowedError extends Error {
  readonly code = 'HOST_NOT_ALLOWED';
}

/** Refuses a URL whose host is an IP literal outside the policy, or whose scheme is not http(s). */
export function checkUrlTarget(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AddressNotAllowedError(
      `Only http and https are allowed, not ${url.protocol.replace(':', '')}.`,
    );
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowPrivate || !isIP(host)) return;
  const reason = forbiddenReason(host);
  if (reason) throw new AddressNotAllowedError(`${url.host} is not reachable from here: ${reason}.`);
}

/**
 * A DNS lookup for sockets: resolves every address of the name and refuses the name when any of them is
 * outside the policy (a name that mixes a public and a private address is an attack, not an accident).
 * The socket connects to the address this lookup returned, so the check and the connection cannot see two
 * different answers (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((
    hostname: string,
    options: object,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      if (!allowPrivate) {
        for (const a of addresses) {
          const reason = forbiddenReason(a.address);
          if (reason)
            return callback(
              new AddressNotAllowedError(`${hostname} resolves to a refused address: ${reason}.`),
              '',
              4,
            );
        }
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 4);
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/**
 * An undici dispatcher whose every connection goes through the guarded lookup. undici does not follow
 * redirects unless asked, so a redirect comes back to the caller, which checks the next hop again.
 */
export function createGuardedAgent(opts: { allowPrivate: boolean; connectTimeoutMs?: number }): Agent {
  return new Agent({
    connect: { lookup: guardedLookup(opts.allowPrivate), timeout: opts.connectTimeoutMs ?? 10_000 },
  });
}
