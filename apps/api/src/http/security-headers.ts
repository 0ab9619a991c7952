import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The console's policy, on every response (the API's too: one policy, nothing to forget on a new route).
 * The built console is scripts and stylesheets from this origin only, so nothing inline is allowed: an
 * injected `<script>` or `<style>` does not run. Pages with a policy of their own (the OAuth result page,
 * /proxy responses) replace this header.
 */
function directives(publicUrl: () => string, https: boolean) {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'none'"],
    // 'self' covers same-origin WebSockets in CSP Level 3; the explicit origin is for browsers before it.
    'connect-src': ["'self'", () => publicUrl().replace(/^http/, 'ws') || "'self'"],
    // Vite inlines small assets as data: URIs; an image cannot run anything.
    'img-src': ["'self'", 'data:'],
    'object-src': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    // Only where the console is served over https: on http://localhost it would upgrade its own assets.
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

export function securityHeaders(
  configuredPublicUrl: string | undefined,
  publicUrl: () => string,
): RequestHandler {
  const https = (configuredPublicUrl ?? '').startsWith('https:');
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: directives(publicUrl, https) },
    // Off: the OAuth popup reports to the console through window.opener after visiting the provider's
    // origin; a Cross-Origin-Opener-Policy would sever that link and the popup could not say how it ended.
    crossOriginOpenerPolicy: false,
    // RFC 6797. Not includeSubDomains: other hosts under the same domain are not ours to commit to https.
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: false } : false,
    // Full URLs within this origin, nothing to others: the console's paths name connections, and the
    // /oauth/connect link may carry a one-time code. Not no-referrer: that also blanks the Origin header
    // of this origin's own form POSTs, which CSRF checks read.
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  });
}
