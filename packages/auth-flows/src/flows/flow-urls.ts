// The two URLs a host hands out for the flows: where a flow starts, and where providers send the browser back.

/**
 * The callback URL to register at the provider: `${publicUrl}${basePath}/callback`, one for every
 * service (the browser session says which attempt a callback belongs to).
 */
export function redirectUriFor(publicUrl: string, basePath = '/oauth'): string {
  return `${publicUrl.replace(/\/+$/, '')}${basePath}/callback`;
}

/** The URL that starts the flow of an attempt: what a `createAndConnect` mutation returns as authorizeUrl. */
export function connectUrlFor(publicUrl: string, attemptId: string, basePath = '/oauth'): string {
  return `${publicUrl.replace(/\/+$/, '')}${basePath}/connect/${encodeURIComponent(attemptId)}`;
}
