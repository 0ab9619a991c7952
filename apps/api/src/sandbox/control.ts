import type { Request, Response } from 'express';
import type { AccountsService } from '../domain/accounts';
import { viewerFromHeaders } from '../http/auth';

export interface SandboxControl {
  /** Lifetime of access tokens, applied at once to tokens already issued too. 0: the default hour. */
  accessTokenTtlSeconds?: number;
  /** The next n requests to the token endpoint get 503 (a transient failure: REFRESH_FAILED, then retry). */
  tokenEndpointFailures?: number;
  /** Forget every grant: the next refresh gets invalid_grant (NEEDS_REAUTH), OAuth 1.0a tokens stop working. */
  revokeGrants?: boolean;
}

/** A whole number from 0 to max, undefined when absent, NaN when anything else. */
const count = (v: unknown, max: number) =>
  v === undefined
    ? undefined
    : Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max
      ? (v as number)
      : NaN;

/** The admin-only control endpoint: makes the providers misbehave for demonstrations and tests. */
export function controlHandler(
  accounts: AccountsService,
  control: (input: SandboxControl) => Promise<Record<string, number>>,
) {
  return async (req: Request, res: Response) => {
    // JSON only: a cross-site form cannot send it without a preflight, so the session cookie cannot be abused.
    if (!req.is('application/json')) return void res.status(415).json({ error: 'send application/json' });
    const viewer = await viewerFromHeaders(accounts, req.headers);
    if (!viewer) return void res.status(401).json({ error: 'sign in first' });
    if (viewer.role !== 'ADMIN') return void res.status(403).json({ error: 'admins only' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input: SandboxControl = {
      accessTokenTtlSeconds: count(body.accessTokenTtlSeconds, 86_400),
      tokenEndpointFailures: count(body.tokenEndpointFailures, 1000),
      revokeGrants: body.revokeGrants === true,
    };
    if (Number.isNaN(input.accessTokenTtlSeconds) || Number.isNaN(input.tokenEndpointFailures))
      return void res
        .status(400)
        .json({ error: 'accessTokenTtlSeconds and tokenEndpointFailures are counts' });
    res.json(await control(input));
  };
}
