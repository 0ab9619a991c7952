import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { forbiddenReason } from './address-policy';
import { cachedResolver, type ResolveAll, systemResolveAll } from './dns-cache';

export class AddressNotAllowedError extends Error {
  readonly code = 'HOST_NOT_ALLOWED';
}

/**
 * Refuses a URL whose host is an IP literal outside the policy, or whose scheme is not http(s). The trusted
 * origin (the sandbox: this server, whose PUBLIC_URL may well be http://127.0.0.1:PORT) passes, exactly as
 * the guarded agent lets it connect; every other origin on the same address keeps the policy.
 */
export function checkUrlTarget(url: URL, allowPrivate: boolean, trustedOrigin?: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AddressNotAllowedError(
      `Only http and https are allowed, not ${url.protocol.replace(':', '')}.`,
    );
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowPrivate || !isIP(host) || isTrustedOrigin(trustedOrigin, url)) return;
  const reason = forbiddenReason(host);
  if (reason) throw new AddressNotAllowedError(`${url.host} is not reachable from here: ${reason}.`);
}

/**
 * A DNS lookup for sockets: resolves every address of the name and refuses the name when any of them is
 * outside the policy (a name that mixes a public and a private address is an attack, not an accident).
 * The socket connects to the address this lookup returned, so the check and the connection cannot see two
 * different answers (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean, resolve: ResolveAll = systemResolveAll): LookupFunction {
  return ((
    hostname: string,
    options: { family?: number; hints?: number },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolve(hostname, options, (err, addresses) => {
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
export function createGuardedAgent(opts: {
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  /**
   * The one origin (scheme, host and port exactly) that may be on a private address: this server's own
   * sandbox when it is enabled. Every other origin keeps the policy, including other ports on the same host.
   */
  trustedOrigin?: () => string | undefined;
  /** How long a name's DNS answer is reused (dns-cache.ts); the policy is applied to it on every use. */
  dnsCacheMs?: number;
}): Agent {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const lookup = guardedLookup(opts.allowPrivate, cachedResolver(opts.dnsCacheMs ?? 0));
  const guardedConnect = buildConnector({ lookup, timeout });
  const trustedConnect = buildConnector({ timeout });
  // An undici Agent keeps one Pool per origin, its sockets kept alive and reused across calls (idle ones
  // closed after the server's keep-alive hint, 4 s without one); only a new socket goes through `connect`,
  // and so through the policy.
  return new Agent({
    connect: (options, callback) => {
      const target = { protocol: options.protocol, hostname: options.hostname, port: options.port };
      if (isTrustedOrigin(opts.trustedOrigin?.(), target)) return trustedConnect(options, callback);
      // An IP literal never goes through the lookup (net.connect skips it), so it is judged here too:
      // callers check URLs first, but the agent must not depend on every caller remembering to.
      const refusal = literalRefusal(options.hostname, opts.allowPrivate);
      if (refusal) return callback(refusal, null);
      return guardedConnect(options, callback);
    },
  });
}

/** The refusal for a host that is an IP literal outside the policy; null for names and allowed literals. */
export function literalRefusal(hostname: string, allowPrivate: boolean): AddressNotAllowedError | null {
  const host = bareHost(hostname);
  if (allowPrivate || !isIP(host)) return null;
  const reason = forbiddenReason(host);
  return reason ? new AddressNotAllowedError(`${hostname} is not reachable from here: ${reason}.`) : null;
}

const bareHost = (hostname: string) => hostname.replace(/^\[|\]$/g, '');
const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

/**
 * Whether a connection target is exactly the trusted origin. Compared field by field, never by building a
 * URL from the target: an IPv6 host comes without brackets here, and `http://::1:80` is not a URL.
 */
export function isTrustedOrigin(
  trusted: string | undefined,
  target: { protocol: string; hostname: string; port?: string | number | null },
): boolean {
  if (!trusted) return false;
  const t = new URL(trusted);
  const port = target.port ? String(target.port) : defaultPort(target.protocol);
  return (
    t.protocol === target.protocol &&
    bareHost(t.hostname).toLowerCase() === bareHost(target.hostname).toLowerCase() &&
    (t.port || defaultPort(t.protocol)) === port
  );
}

/**
 * A fetch for requests whose URL comes from a service definition (token refresh): IP literals are checked
 * first, names through the guarded agent's lookup.
 */
export function createGuardedFetch(agent: Agent, check: (url: URL) => void) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    check(new URL(url));
    // Node's fetch takes an undici dispatcher; its bundled typings name a different undici copy.
    return fetch(url, { ...init, dispatcher: agent } as unknown as RequestInit);
  };
}
