import express, { type Express, type Request, type Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';

/** Where the built console lives: CONNECTIONS_CONSOLE_DIR, or apps/admin/dist beside this app. */
export function consoleDir(configured: string | undefined): string | null {
  const candidates = [configured, path.resolve(__dirname, '../../../admin/dist')];
  return candidates.find((d): d is string => !!d && fs.existsSync(path.join(d, 'index.html'))) ?? null;
}

/** Vite names what it emits under assets/ by content hash: a changed file gets a new name, so never revalidate. */
const HASHED = /^\/assets\//;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets: always revalidated, so a deploy is seen on the next load. */
const REVALIDATE = 'no-cache';
/** Files of public/ (favicon): stable names, so a day, then revalidate. */
const PUBLIC = 'public, max-age=86400';

const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;
type Encoding = (typeof ENCODINGS)[number][0];

/** Every file of the build with the precompressed variants the build wrote beside it (vite.config.ts). */
function inventory(dir: string): Map<string, Set<Encoding>> {
  const files = new Map<string, Set<Encoding>>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else files.set(child, new Set());
    }
  };
  walk('');
  for (const [name] of files)
    for (const [encoding, ext] of ENCODINGS)
      if (name.endsWith(ext) && files.has(name.slice(0, -ext.length)))
        files.get(name.slice(0, -ext.length))!.add(encoding);
  return files;
}

/** Accept-Encoding's q-values (RFC 9110 section 12.5.3): a coding not listed takes `*`'s, else 0. */
function acceptedQ(header: string | undefined): (coding: Encoding) => number {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    q.set(name, weight === undefined ? 1 : Number(weight));
  }
  return (coding) => q.get(coding) ?? q.get('*') ?? 0;
}

/**
 * The smallest precompressed variant the client accepts, or none: brotli over gzip when both are equally
 * acceptable (browsers list gzip first, which says nothing about preference).
 */
function chosenEncoding(req: Request, available: Set<Encoding> | undefined): Encoding | null {
  if (!available?.size) return null;
  const q = acceptedQ(req.headers['accept-encoding']);
  let best: Encoding | null = null;
  for (const [coding] of ENCODINGS)
    if (available.has(coding) && q(coding) > 0 && (!best || q(coding) > q(best))) best = coding;
  return best;
}

function cacheControl(urlPath: string): string {
  if (urlPath === '/index.html') return REVALIDATE;
  return HASHED.test(urlPath) ? IMMUTABLE : PUBLIC;
}

/**
 * Serves the built console at / with a history-mode fallback to index.html for its client-side routes.
 * Precompressed `.br` / `.gz` files written at build time are sent as they are (Content-Encoding, Vary:
 * Accept-Encoding, the original's Content-Type): no compression work per request, and the smallest bytes.
 */
export function mountConsole(app: Express, dir: string | null): void {
  if (!dir) {
    app.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send('The console is not built. Run `npm start` from the repository root, which builds it.');
    });
    return;
  }
  const files = inventory(dir);
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const available = files.get(req.path);
    if (!available) return next();
    res.vary('Accept-Encoding');
    const encoding = chosenEncoding(req, available);
    if (!encoding) return next();
    const original = req.path;
    res.type(path.extname(original));
    res.setHeader('Content-Encoding', encoding);
    // express.static then sends the variant; its headers are set for the original's path (setHeaders).
    res.locals.consolePath = original;
    req.url = `${original}${encoding === 'br' ? '.br' : '.gz'}`;
    next();
  });
  app.use(
    express.static(dir, {
      index: false,
      setHeaders: (res, file) => {
        const served = (res.locals.consolePath as string | undefined) ?? `/${path.relative(dir, file)}`;
        res.setHeader('Cache-Control', cacheControl(served.split(path.sep).join('/')));
      },
    }),
  );
  const index = variants(dir);
  app.get(/^\/(?!graphql|oauth|proxy|healthz|readyz|metrics|sandbox|logos).*/, (req, res, next) => {
    if (req.method !== 'GET' || !req.accepts('html')) return next();
    sendIndex(req, res, index);
  });
}

/** index.html and its precompressed variants, read once. */
function variants(dir: string): { plain: Buffer } & Partial<Record<Encoding, Buffer>> {
  const read = (name: string) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  };
  return { plain: read('index.html')!, br: read('index.html.br'), gzip: read('index.html.gz') };
}

function sendIndex(req: Request, res: Response, index: ReturnType<typeof variants>) {
  const available = new Set(ENCODINGS.map(([e]) => e).filter((e) => index[e]));
  const encoding = chosenEncoding(req, available);
  res.vary('Accept-Encoding').type('html').setHeader('Cache-Control', REVALIDATE);
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.send(encoding ? index[encoding] : index.plain);
}
