/**
 * Splits a `scope` value from a token response. RFC 6749 says space-delimited, but providers that ask
 * for another delimiter (Slack, GitHub: ',') often answer with it too, so both are accepted.
 */
export function parseScopes(value: unknown, delimiter = ' '): string[] | undefined {
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  if (typeof value !== 'string') return undefined;
  const separators = new Set([' ', delimiter]);
  let parts = [value];
  for (const sep of separators) parts = parts.flatMap((part) => part.split(sep));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

/** Requested scopes the provider did not grant: a reason to ask for reauthorization. */
export function missingScopes(requested: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  return requested.filter((scope) => !have.has(scope));
}
