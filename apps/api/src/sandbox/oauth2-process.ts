import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * The sandbox's OAuth 2.0 server (oidc-provider) runs in a child process: see the header of
 * apps/api/sandbox/oauth2-server.mjs for why. The script sits outside src/ so that both src/sandbox (Jest)
 * and dist/sandbox (node) find it at the same relative path.
 */
const SCRIPT = path.resolve(__dirname, '../../sandbox/oauth2-server.mjs');

export interface OAuth2Process {
  /** Forwards a request under /sandbox/oauth to the child unchanged (path, Host, body). */
  proxy(req: Request, res: Response): void;
  verify(token: string): Promise<{ active: boolean; sub?: string; scope?: string }>;
  control(body: { accessTokenTtlSeconds?: number; revokeGrants?: boolean }): Promise<Record<string, number>>;
  close(): Promise<void>;
  /** The child's process id (what a test reads its environment by). */
  pid: number | undefined;
}

interface OAuth2ProcessOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  logger: Logger;
}

/**
 * The child's whole environment: what it reads and nothing more. Never the parent's: that holds the
 * encryption key, the database and Redis URLs, and the child is a toy server that needs none of them.
 */
export function childEnv(
  opts: OAuth2ProcessOptions,
  secret: string,
  parent: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  // Nothing secret: where the system is (PATH; SYSTEMROOT, which Windows' crypto provider needs) and the
  // mode, which the provider's web framework reads.
  const system = Object.fromEntries(
    ['PATH', 'SYSTEMROOT', 'NODE_ENV'].flatMap((k) => (parent[k] !== undefined ? [[k, parent[k]]] : [])),
  );
  return {
    ...system,
    SANDBOX_ISSUER: opts.issuer,
    SANDBOX_CLIENT_ID: opts.clientId,
    SANDBOX_CLIENT_SECRET: opts.clientSecret,
    SANDBOX_REDIRECT_URI: opts.redirectUri,
    SANDBOX_INTERNAL_SECRET: secret,
    // oidc-provider warns about Node versions it does not test; the sandbox does not need to say so.
    NODE_NO_WARNINGS: '1',
  };
}

function spawnServer(opts: OAuth2ProcessOptions, secret: string): ChildProcess {
  const child = spawn(process.execPath, [SCRIPT], {
    env: childEnv(opts, secret),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) =>
    opts.logger.debug({ sandbox: d.toString().trim() }, 'sandbox oauth2'),
  );
  return child;
}

/** The port the child listens on, from its "READY <port>" line; rejects if it exits or takes over 15 s. */
function readyPort(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error('the sandbox OAuth 2.0 server did not start in 15 s')),
      15_000,
    );
    child.once('exit', (code) => reject(new Error(`the sandbox OAuth 2.0 server exited (${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

function proxyTo(port: number, publicProto: string): OAuth2Process['proxy'] {
  return (req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.originalUrl,
        // The scheme browsers use is PUBLIC_URL's (a TLS-terminating proxy may sit in front of us).
        headers: { ...req.headers, 'x-forwarded-proto': publicProto, 'x-sandbox-secret': '' },
      },
      (answer) => {
        res.status(answer.statusCode ?? 502);
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined) res.setHeader(k, v);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.status(502).json({ error: 'sandbox_unavailable' });
      else res.destroy();
    });
    req.pipe(upstream);
  };
}

/** Calls the child's /_internal/* endpoints, which only the holder of the per-process secret may use. */
function internalClient(port: number, secret: string) {
  return async <T>(pathAndQuery: string, body?: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-sandbox-secret': secret, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`sandbox OAuth 2.0 server answered ${res.status}`);
    return (await res.json()) as T;
  };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin!.end();
    child.kill('SIGTERM');
  });
}

export async function startOAuth2Process(opts: OAuth2ProcessOptions): Promise<OAuth2Process> {
  const secret = randomBytes(24).toString('hex');
  const publicProto = new URL(opts.issuer).protocol.replace(':', '');
  const child = spawnServer(opts, secret);
  const port = await readyPort(child).catch((e: unknown) => {
    child.kill();
    throw e;
  });
  const internal = internalClient(port, secret);
  return {
    proxy: proxyTo(port, publicProto),
    verify: (token) => internal(`/_internal/verify?token=${encodeURIComponent(token)}`),
    control: (body) => internal('/_internal/control', body),
    close: () => stop(child),
    pid: child.pid,
  };
}
