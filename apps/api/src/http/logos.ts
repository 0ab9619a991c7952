import type { Express } from 'express';
import { LOGO_PATH } from '../domain/service-logos';
import type { ServiceRegistry } from '../domain/service-registry';

/** Content-addressed URLs (`?v=<hash>`, see logoUrlOf): a cached copy can never be stale. */
const CACHE_FOREVER = 'public, max-age=31536000, immutable';

/**
 * GET /logos/<catalog slug>.svg: the provider's icon, bundled at build time (no request leaves this server).
 * Public like the catalog it belongs to: an <img> cannot send an API token. The SVG is a single path from the
 * icon set; the policy header forbids scripts in it anyway, should anyone open it as a document.
 */
export function mountLogos(app: Express, registry: Pick<ServiceRegistry, 'logo'>): void {
  app.get(`${LOGO_PATH}/:file`, (req, res) => {
    const slug = /^([a-z0-9][a-z0-9_-]{0,63})\.svg$/.exec(req.params.file)?.[1];
    const logo = slug ? registry.logo(slug) : undefined;
    if (!logo)
      return void res
        .status(404)
        .json({ error: { code: 'NOT_FOUND', message: 'This service has no logo: show its initial.' } });
    res
      .type('image/svg+xml')
      .setHeader('Cache-Control', CACHE_FOREVER)
      .setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .setHeader('ETag', `"${logo.version}"`);
    if (req.fresh) return void res.status(304).end();
    res.send(logo.svg);
  });
}
