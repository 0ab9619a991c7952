import type { Request, Response } from 'express';
import grant from 'grant';
import type { AuthFlowError } from '../errors';
import { staticGrantConfig } from './grant-config';
import {
  grantRequestOptions,
  withGrantRecord,
  type GrantAgents,
  type GrantRunRecord,
} from './grant-transport';
import type { GrantResponse } from './normalize';

type GrantHandler = (req: unknown, res: Response, next: (error?: unknown) => void) => Promise<void>;

/** One step of a flow: the provider grant runs for, the path it sees and the query it is given. */
export interface GrantStep {
  provider: string;
  path: string;
  query: Record<string, unknown>;
}

export interface GrantRun {
  /** grant answered the browser itself: a redirect to the provider. */
  redirected: boolean;
  /** What grant handed back (on a callback): the tokens, the raw answer, the profile. */
  response?: GrantResponse;
  /** A request the host's agents refused or cut off, which grant reduces to a message or ignores. */
  failure?: AuthFlowError;
}

/**
 * Runs grant once per flow step on a synthetic request (path, method, the step's query, the session), so
 * nothing a browser puts in the URL can reach grant's configuration. Each run gets its own grant handler, on
 * its one provider, whose requests go through agents that report to that run's record (grant-transport.ts):
 * about 0.04 ms to build with one provider declared (with all of them it took 7 ms).
 */
export function grantRunner(prefix: string, agents: GrantAgents | undefined, requestTimeoutMs: number) {
  const handlerFor = (provider: string, record: GrantRunRecord) =>
    grant.express({
      config: staticGrantConfig(prefix, provider),
      request: grantRequestOptions(agents, requestTimeoutMs, record),
    } as never) as unknown as GrantHandler;

  /** Resolves once grant redirected or handed back with next(). `context` prefixes a failure's message. */
  return async (req: Request, res: Response, step: GrantStep, context: string): Promise<GrantRun> => {
    const { result, failure } = await withGrantRecord(context, (record) =>
      grantOnce(handlerFor(step.provider, record), req, res, step),
    );
    return { ...result, failure };
  };
}

function grantOnce(handler: GrantHandler, req: Request, res: Response, step: GrantStep) {
  return new Promise<Omit<GrantRun, 'failure'>>((resolve, reject) => {
    let handedBack = false;
    const view = {
      originalUrl: step.path,
      method: 'GET',
      query: step.query,
      body: undefined,
      session: req.session,
    };
    handler(view, res, (error?: unknown) => {
      handedBack = true;
      if (error) reject(error);
      else
        resolve({
          redirected: false,
          response: (res.locals.grant as { response?: GrantResponse } | undefined)?.response,
        });
    }).then(() => {
      if (!handedBack) resolve({ redirected: true });
    }, reject);
  });
}
