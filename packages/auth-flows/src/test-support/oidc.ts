import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';

export interface OidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method: 'client_secret_post' | 'client_secret_basic';
  grant_types?: string[];
  response_types?: string[];
  /** The scopes the client may be granted (client credentials: those it may ask for). */
  scope?: string;
}

export interface OidcServer {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  revokeUrl: string;
  stats(): Promise<{
    token: number;
    byGrantType: Record<string, number>;
    authorize: { withPkce: number; withoutPkce: number };
  }>;
  stop(): Promise<void>;
}

export interface OidcServerOptions {
  /** Lifetime of the access tokens the authorization code grant issues (refreshed ones live an hour). */
  codeAccessTokenTtlSeconds?: number;
  /** Lifetime of every other access token (refreshed ones too). Default 3600 (Keycloak's default is 300). */
  accessTokenTtlSeconds?: number;
  /** Whether every authorization request must carry a PKCE challenge (default true). */
  pkceRequired?: boolean;
}

/** Starts oidc-provider in a child process (it is ESM-only) and resolves when it listens. */
export async function startOidcServer(
  clients: OidcClient[],
  options: OidcServerOptions = {},
): Promise<OidcServer> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-server.mjs')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      OIDC_TEST_CODE_ACCESS_TOKEN_TTL: String(options.codeAccessTokenTtlSeconds ?? 0),
      OIDC_TEST_ACCESS_TOKEN_TTL: String(options.accessTokenTtlSeconds ?? 3600),
      OIDC_TEST_PKCE_REQUIRED: String(options.pkceRequired ?? true),
      OIDC_TEST_CLIENTS: JSON.stringify(
        clients.map((c) => ({
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          ...c,
        })),
      ),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`oidc test server did not start: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc test server exited with ${code}: ${stderr}`));
    });
  });

  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    authorizeUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    userinfoUrl: `${issuer}/me`,
    revokeUrl: `${issuer}/token/revocation`,
    async stats() {
      const res = await request(`${issuer}/_test/stats`);
      return (await res.body.json()) as Awaited<ReturnType<OidcServer['stats']>>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        child.kill('SIGTERM');
      }),
  };
}
