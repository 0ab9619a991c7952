import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Store } from 'express-session';
import { AuthFlowError } from '../errors';
import type { ServiceDefinition } from '../types';
import type { FlowStateStore } from './attempt-session-store';
import { flowSession } from './flow-session';
import { redirectUriFor } from './flow-urls';
import { dynamicGrantConfig, grantProviderName, prepareService, type AttemptConfig } from './grant-config';
import { grantRunner } from './grant-run';
import type { GrantAgents } from './grant-transport';
import { issuerProblem } from './issuer';
import { normalizeGrantResponse, type FlowOutcome, type GrantResponse } from './normalize';
import { requestOAuthSignsPortsCorrectly, usesNonDefaultPort } from './request-oauth-check';

export interface AuthRouterOptions {
  /** Where the routes live, relative to where the router is mounted. Default '/oauth'. */
  basePath?: string;
  /** The absolute URL browsers use to reach the router's mount point, e.g. https://connections.example.com. */
  publicUrl: string;
  /** The host's view of an attempt: called on the connect request AND on the callback. null if unknown. */
  resolveAttempt(attemptId: string, req: Request): Promise<AttemptConfig | null>;
  /**
   * Called once per callback (and when a flow cannot start). Must answer the request (a page that
   * closes the popup, a redirect...). attemptId is undefined when the request cannot be tied to an
   * attempt: no flow in this browser session, or a `state` that does not match it.
   */
  onComplete(
    attemptId: string | undefined,
    outcome: FlowOutcome,
    req: Request,
    res: Response,
  ): void | Promise<void>;
  /** The host's own session middleware. Without it, express-session is created with sessionSecret. */
  session?: RequestHandler;
  sessionSecret?: string | string[];
  /** A shared express-session store for several replicas; in-memory by default. */
  sessionStore?: Store;
  /**
   * Keep each flow's state with its attempt instead: the session id IS the attempt id (the id of the
   * connect request), every connect starts a fresh session for its attempt, and the state is read and
   * written through this store. Any replica that shares the host's storage and the session secret can
   * then take the callback. Replaces `sessionStore`.
   */
  flowState?: FlowStateStore;
  /** Limit for each request grant makes (token exchange, OAuth 1.0a steps, profile). Default 15 s. */
  requestTimeoutMs?: number;
  /**
   * The node:http agents grant's requests go through (token exchange, OAuth 1.0a steps, profile): a host
   * passes agents that apply its network policy, so the client secret only goes where the policy allows.
   */
  agents?: GrantAgents;
  /**
   * Also start flows on `POST {basePath}/connect/:attemptId`: for a host that puts a confirmation page
   * in front of the flow. The host checks that POST as it checks the GET.
   */
  connectByPost?: boolean;
}

interface PendingFlow {
  attemptId: string;
  provider: string;
}

type SessionBag = Record<string, unknown> & { grant?: Record<string, unknown> };

const PENDING_KEY = 'connectionsOAuthFlow';

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const bag = (req: Request) => req.session as unknown as SessionBag;
const regenerate = (req: Request) =>
  new Promise<void>((resolve, reject) =>
    req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())),
  );
const failed = (error: AuthFlowError): FlowOutcome => ({ ok: false, error });
const asFlowError = (error: unknown) =>
  error instanceof AuthFlowError
    ? error
    : new AuthFlowError('PROVIDER_ERROR', 'The authorization flow failed unexpectedly', { cause: error });

/**
 * Mounts grant on an Express router. `GET {basePath}/connect/:attemptId` starts a flow and
 * `GET {basePath}/callback` finishes it; grant itself is invoked with an explicit request view (path,
 * method, an empty query on connect, the session), so nothing a browser puts in the URL can reach
 * grant's configuration.
 */
export function createAuthRouter(options: AuthRouterOptions): Router {
  const basePath = options.basePath ?? '/oauth';
  if (!/^(\/[A-Za-z0-9_-]+)+$/.test(basePath)) throw new Error('basePath must look like /oauth');
  const publicUrl = new URL(options.publicUrl);
  const redirectUri = redirectUriFor(publicUrl.toString(), basePath);
  const prefix = `${basePath}/grant`;
  const runGrant = grantRunner(prefix, options.agents, options.requestTimeoutMs ?? 15_000);
  const sessionMiddleware = flowSession(options, publicUrl, basePath);

  async function complete(
    attemptId: string | undefined,
    outcome: FlowOutcome,
    req: Request,
    res: Response,
    next: NextFunction,
  ) {
    try {
      await options.onComplete(attemptId, outcome, req, res);
    } catch (error) {
      next(error);
    }
  }

  async function loadService(
    attemptId: string,
    req: Request,
  ): Promise<{ attempt: AttemptConfig; service: ServiceDefinition }> {
    const attempt = await options.resolveAttempt(attemptId, req);
    if (!attempt)
      throw new AuthFlowError(
        'UNKNOWN_ATTEMPT',
        'This authorization attempt is unknown, expired or already finished',
      );
    const service = prepareService(attempt);
    if (
      service.authType === 'OAUTH1' &&
      usesNonDefaultPort(service.requestTokenUrl, service.accessTokenUrl, service.profileUrl) &&
      !requestOAuthSignsPortsCorrectly()
    ) {
      throw new AuthFlowError(
        'INVALID_SERVICE',
        `${service.displayName} uses a non-default port, which needs the request-oauth install patch (scripts/patch-request-oauth.cjs)`,
      );
    }
    return { attempt, service };
  }

  const connect: RequestHandler = async (req, res, next) => {
    const attemptId = String(req.params.attemptId);
    try {
      const { attempt, service } = await loadService(attemptId, req);
      const provider = grantProviderName(service);
      // A browser that started another flow before carries that attempt's session: this attempt's state
      // must go to a session of its own id (and, as with one session per browser, the older flow ends).
      if (options.flowState) await regenerate(req);
      const pending: PendingFlow = { attemptId, provider };
      bag(req)[PENDING_KEY] = pending;
      res.locals.grant = { dynamic: dynamicGrantConfig(service, attempt, redirectUri) };
      const step = { provider, path: `${prefix}/${provider}`, query: {} };
      const result = await runGrant(req, res, step, `Connecting ${service.displayName}`);
      if (result.redirected) return;
      // Only the OAuth 1.0a request-token step can fail before the redirect.
      delete bag(req)[PENDING_KEY];
      delete bag(req).grant;
      const error =
        result.failure ??
        new AuthFlowError(
          'PROVIDER_ERROR',
          `${service.displayName} refused to start the authorization (request token step)`,
        );
      await complete(attemptId, failed(error), req, res, next);
    } catch (error) {
      await complete(attemptId, failed(asFlowError(error)), req, res, next);
    }
  };

  const callback: RequestHandler = async (req, res, next) => {
    const pending = bag(req)[PENDING_KEY] as PendingFlow | undefined;
    if (!pending) {
      return complete(
        undefined,
        failed(
          new AuthFlowError('NO_FLOW_IN_PROGRESS', 'No authorization is in progress in this browser session'),
        ),
        req,
        res,
        next,
      );
    }
    const query = req.query as Record<string, unknown>;
    try {
      const { attempt, service } = await loadService(pending.attemptId, req);
      if (grantProviderName(service) !== pending.provider)
        throw new AuthFlowError('INVALID_SERVICE', `${service.displayName} changed during the authorization`);
      const flow = bag(req).grant ?? {};
      // Checked here, before grant, and for error redirects too: a forged callback must neither finish
      // nor abort the flow this session started. grant alone skips the check when no code is present.
      const expected =
        service.authType === 'OAUTH2'
          ? flow.state
          : (flow.request as Record<string, unknown> | undefined)?.oauth_token;
      const received = service.authType === 'OAUTH2' ? query.state : (query.oauth_token ?? query.denied);
      if (typeof expected !== 'string' || typeof received !== 'string' || !sameString(expected, received)) {
        return complete(
          undefined,
          failed(
            new AuthFlowError(
              'STATE_MISMATCH',
              'The authorization response does not belong to the flow started in this browser',
            ),
          ),
          req,
          res,
          next,
        );
      }
      delete bag(req)[PENDING_KEY];
      const wrongIssuer = issuerProblem(service, query);
      if (wrongIssuer) {
        delete bag(req).grant;
        return complete(pending.attemptId, failed(wrongIssuer), req, res, next);
      }
      let response: GrantResponse | undefined;
      let failure: AuthFlowError | undefined;
      if (service.authType === 'OAUTH1' ? query.oauth_token !== undefined : query.code !== undefined) {
        res.locals.grant = { dynamic: dynamicGrantConfig(service, attempt, redirectUri) };
        const { provider } = pending;
        const step = { provider, path: `${prefix}/${provider}/callback`, query };
        ({ response, failure } = await runGrant(req, res, step, `Connecting ${service.displayName}`));
      }
      delete bag(req).grant;
      if (failure) return complete(pending.attemptId, failed(failure), req, res, next);
      const outcome = normalizeGrantResponse({
        service,
        response,
        callbackQuery: query,
        requestedScopes: attempt.scopes.length > 0 ? attempt.scopes : service.defaultScopes,
        now: Date.now(),
        secrets: [attempt.client.clientSecret, typeof query.code === 'string' ? query.code : ''],
      });
      await complete(pending.attemptId, outcome, req, res, next);
    } catch (error) {
      delete bag(req)[PENDING_KEY];
      delete bag(req).grant;
      await complete(pending.attemptId, failed(asFlowError(error)), req, res, next);
    }
  };

  const router = Router();
  router.get(`${basePath}/connect/:attemptId`, sessionMiddleware, connect);
  if (options.connectByPost) router.post(`${basePath}/connect/:attemptId`, sessionMiddleware, connect);
  router.get(`${basePath}/callback`, sessionMiddleware, callback);
  return router;
}
