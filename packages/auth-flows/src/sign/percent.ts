/**
 * RFC 3986 percent-encoding as RFC 5849 section 3.6 requires: everything but the unreserved set
 * (ALPHA, DIGIT, '-', '.', '_', '~') is encoded, with upper-case hex. encodeURIComponent leaves
 * ! ' ( ) * alone, which would change signatures.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Pairs from an application/x-www-form-urlencoded string, decoded ('+' is a space, as in HTML forms). */
export function parseFormPairs(encoded: string): [string, string][] {
  const text = encoded.startsWith('?') ? encoded.slice(1) : encoded;
  if (text === '') return [];
  return [...new URLSearchParams(text)];
}

/** Serialises pairs with RFC 3986 encoding: unambiguous for every server, '+' never means space. */
export function encodePairs(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}
