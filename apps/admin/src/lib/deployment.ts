/**
 * The console opened at another address than the server's PUBLIC_URL (127.0.0.1 vs localhost, a proxy in
 * front, another port): OAuth popups post their outcome to PUBLIC_URL's origin only, and the live-updates
 * socket accepts that origin only, so Create and Connect seems to close at once and statuses stop following.
 * Say exactly what differs and the two ways out, instead of a generic "the window was closed".
 */
export interface AddressMismatch {
  /** Where the console is open (origin). */
  opened: string;
  /** The server's PUBLIC_URL (origin). */
  expected: string;
  /** One sentence on what goes wrong. */
  message: string;
  /** The two fixes, in words, with the exact values. */
  fixes: [string, string];
}

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * Null when the console is open at PUBLIC_URL's origin (or the server did not say). `path` is where the user
 * is, to link the same page at the right address.
 */
export function addressMismatch(
  publicUrl: string | null | undefined,
  opened: string,
  path = '/',
): AddressMismatch | null {
  const expected = publicUrl ? originOf(publicUrl) : null;
  const here = originOf(opened);
  if (!expected || !here || expected === here) return null;
  return {
    opened: here,
    expected,
    message:
      `This console is open at ${here}, but the server’s PUBLIC_URL is ${expected}: authorization popups ` +
      'report back, and live updates connect, only at PUBLIC_URL’s address.',
    fixes: [
      `Open the console at ${expected}${path}`,
      `or, if ${here} is the address people should use (a proxy in front, another host name), set ` +
        `PUBLIC_URL=${here} in the server’s environment and restart it.`,
    ],
  };
}

/** What to say when an authorization popup closed without telling the console how it ended. */
export function popupClosedReason(authorizeUrl: string | null, opened: string): string | null {
  if (!authorizeUrl) return null;
  const m = addressMismatch(authorizeUrl, opened);
  return m ? `${m.message} ${m.fixes[0]}, ${m.fixes[1]}` : null;
}
