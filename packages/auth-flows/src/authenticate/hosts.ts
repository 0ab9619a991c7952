import type { ServiceDefinition } from '../types';

function origin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    if (parsed.username || parsed.password) return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

/**
 * True when the URL's origin (scheme, host and port) is the origin of one of the service's API base
 * URLs. Matching whole origins keeps `api.example.com.evil.net` and an http downgrade out. Templated
 * base URLs never match: resolve the subdomain first.
 */
export function isAllowedUrl(service: Pick<ServiceDefinition, 'apiBaseUrls'>, url: string): boolean {
  const target = origin(url);
  if (!target) return false;
  return service.apiBaseUrls.some((base) => !base.includes('[subdomain]') && origin(base) === target);
}
