import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { AttemptSessionStore } from './attempt-session-store';
import type { AuthRouterOptions } from './router';

const FLOW_TTL_MS = 15 * 60_000;

/**
 * The browser side of a flow: a signed, short-lived cookie naming the flow's session. With `flowState` the
 * session lives in the host's store keyed by the attempt id (so any replica can finish it); otherwise in the
 * given store, or express-session's memory.
 */
export function flowSession(options: AuthRouterOptions, publicUrl: URL, basePath: string): RequestHandler {
  const secure = publicUrl.protocol === 'https:';
  if (!options.session && !options.sessionSecret)
    throw new Error('createAuthRouter needs a session middleware or a sessionSecret');
  if (options.flowState && (options.session || options.sessionStore))
    throw new Error('createAuthRouter: flowState replaces the session middleware and the session store');
  const perAttempt = options.flowState
    ? {
        store: new AttemptSessionStore(options.flowState),
        // Only the connect route has an attemptId; a callback without a cookie gets a throwaway id,
        // which no attempt matches (and which is never saved: such a session stays unmodified).
        genid: (req: Request) =>
          typeof req.params?.attemptId === 'string'
            ? req.params.attemptId
            : randomBytes(18).toString('base64url'),
      }
    : { store: options.sessionStore };
  return (
    options.session ??
    session({
      name: 'connections.oauth',
      secret: options.sessionSecret!,
      ...perAttempt,
      resave: false,
      saveUninitialized: false,
      // Behind a TLS-terminating proxy req.secure is false unless X-Forwarded-Proto is trusted.
      proxy: secure ? true : undefined,
      cookie: {
        httpOnly: true,
        // Lax: the provider's redirect back is a top-level GET navigation, which still carries it.
        sameSite: 'lax',
        secure,
        path: `${publicUrl.pathname.replace(/\/+$/, '')}${basePath}`,
        maxAge: FLOW_TTL_MS,
      },
    })
  );
}
