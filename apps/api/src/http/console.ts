import express, { type Express } from 'express';
import fs from 'node:fs';
import path from 'node:path';

/** Where the built console lives: CONNECTIONS_CONSOLE_DIR, or apps/admin/dist beside this app. */
export function consoleDir(configured: string | undefined): string | null {
  const candidates = [configured, path.resolve(__dirname, '../../../admin/dist')];
  return candidates.find((d): d is string => !!d && fs.existsSync(path.join(d, 'index.html'))) ?? null;
}

/** Serves the built console at / with a history-mode fallback to index.html for its client-side routes. */
export function mountConsole(app: Express, dir: string | null): void {
  if (!dir) {
    app.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send('The console is not built. Run `npm start` from the repository root, which builds it.');
    });
    return;
  }
  app.use(express.static(dir, { index: false, maxAge: '1h', immutable: false }));
  const index = fs.readFileSync(path.join(dir, 'index.html'));
  app.get(/^\/(?!graphql|oauth|proxy|healthz|readyz|metrics|sandbox).*/, (req, res, next) => {
    if (req.method !== 'GET' || !req.accepts('html')) return next();
    res.type('html').setHeader('Cache-Control', 'no-cache').send(index);
  });
}
