import { parseCookie } from 'cookie';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AttemptSummary } from '../domain/attempt-summary';
import { AppError } from '../errors';
import { OAUTH_BASE_PATH } from '../oauth-urls';

/**
 * The confirmation in front of a `?code=` authorization link. The code lets a browser that is signed in
 * to nothing run the flow of an attempt an API-token client created; without a confirmation, whoever
 * opened the link would bind their upstream account to the requester's connection with one page load
 * (a provider that skips consent for an approved client asks nothing). So the GET only shows what the
 * link does, in names, and the flow starts from the page's form (POST), protected against cross-site
 * submission by the request's Origin and a token tied to a cookie this page set.
 */

const COOKIE = 'connections.confirm';
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const cookiePath = (publicUrl: string, attemptId: string) =>
  `${new URL(publicUrl).pathname.replace(/\/+$/, '')}${OAUTH_BASE_PATH}/connect/${encodeURIComponent(attemptId)}`;

/**
 * The form's token: an HMAC of the attempt and the cookie's random value under the server's secret. A
 * sibling site that plants its own cookie for this host (cookie tossing) still cannot compute the token.
 */
const formToken = (secret: string, attemptId: string, nonce: string) =>
  createHmac('sha256', secret).update(`confirm.${attemptId}.${nonce}`).digest('base64url');

/**
 * Headers of both pages: never cached, never framed (no clickjacking of the button), no Referer to another
 * origin (the URL holds the one-time code). `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends
 * the form's POST with `Origin: null`, which the same-origin check must refuse.
 */
export const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** A `<dl>` naming the workspace, the connection, its owner and who asked. */
export function summaryList(summary: AttemptSummary): string {
  const rows: [string, string][] = [
    ['Workspace', summary.workspace],
    ['Connection', `${summary.connection} (${summary.linkName})`],
    ['Service', summary.service],
    ['Owner', summary.owner],
    ['Requested by', summary.requestedBy],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

export function confirmPage(
  res: Response,
  opts: { publicUrl: string; secret: string; attemptId: string; code: string; summary: AttemptSummary },
): void {
  const { summary, attemptId } = opts;
  const nonce = randomBytes(24).toString('base64url');
  const secure = new URL(opts.publicUrl).protocol === 'https:';
  res.cookie(COOKIE, nonce, {
    httpOnly: true,
    // Strict: a form another site submits arrives without it.
    sameSite: 'strict',
    secure,
    path: cookiePath(opts.publicUrl, attemptId),
    maxAge: 10 * 60_000,
  });
  const service = escapeHtml(summary.service);
  res
    .status(200)
    .set({
      ...PAGE_HEADERS,
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    })
    .type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Connect ${service}?</title>
<style>body{font-family:system-ui,sans-serif;margin:3rem;color:#1f2328;max-width:40rem}dt{font-weight:600}
dd{margin:0 0 .5rem}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>Connect ${service}?</h1>
<p>This link authorizes a connection with the account you use at ${service}.</p>
${summaryList(summary)}
<p>Continue only if you expected this request. The connection will act with your ${service} account.</p>
<form method="post" action="${escapeHtml(encodeURIComponent(attemptId))}" data-connections-confirm>
<input type="hidden" name="code" value="${escapeHtml(opts.code)}">
<input type="hidden" name="token" value="${formToken(opts.secret, attemptId, nonce)}">
<button type="submit">Continue to ${service}</button>
</form></body></html>`);
}

const originOf = (url: string) => new URL(url).origin;

/**
 * Throws FORBIDDEN unless the POST is the submission of the page above, in this browser: same-origin by
 * `Origin` (browsers send it with every form POST; the public origin, or this server's own when reached
 * by its replica address), and the form's token matching this browser's cookie.
 */
export function checkConfirmation(req: Request, opts: { publicUrl: string; secret: string }): void {
  const refuse = () =>
    new AppError('FORBIDDEN', 'This confirmation did not come from this page. Open the link again.');
  const origin = req.get('origin');
  const own = `${req.protocol}://${req.get('host')}`;
  if (!origin || (origin !== originOf(opts.publicUrl) && origin !== own)) throw refuse();
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin') throw refuse();
  const nonce = parseCookie(req.headers.cookie ?? '')[COOKIE];
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (!nonce || typeof body.token !== 'string') throw refuse();
  const expected = Buffer.from(formToken(opts.secret, String(req.params.attemptId), nonce));
  const given = Buffer.from(body.token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse();
}

/** The cookie has done its job once the flow starts. */
export function clearConfirmation(res: Response, publicUrl: string, attemptId: string): void {
  res.clearCookie(COOKIE, { path: cookiePath(publicUrl, attemptId) });
}
