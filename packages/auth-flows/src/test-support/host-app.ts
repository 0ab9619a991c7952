import express from 'express';
import type { Request, Response } from 'express';
import type { FlowStateStore } from '../flows/attempt-session-store';
import { connectUrlFor, redirectUriFor } from '../flows/flow-urls';
import { createAuthRouter } from '../flows/router';
import type { AttemptConfig } from '../flows/grant-config';
import type { FlowOutcome } from '../flows/normalize';
import { listen, type RunningServer } from './http';

export interface Completion {
  attemptId: string | undefined;
  outcome: FlowOutcome;
}

export interface HostApp extends RunningServer {
  redirectUri: string;
  attempts: Map<string, AttemptConfig>;
  completions: Completion[];
  /** How often resolveAttempt ran per attempt: the router must ask on connect and on callback. */
  resolveCalls: Map<string, number>;
  connectUrl(attemptId: string): string;
}

export interface HostAppOptions {
  /** Flow state kept per attempt by the host (the router's `flowState` option). */
  flowState?: FlowStateStore;
  /** Another replica's public URL (a shared balancer address); this app's own URL by default. */
  publicUrl?: string;
  /** Another replica's attempts, to share them. */
  attempts?: Map<string, AttemptConfig>;
}

/** A stand-in for apps/api: attempts in a map, outcomes recorded and answered as JSON. */
export async function startHostApp(options: HostAppOptions = {}): Promise<HostApp> {
  // The router needs the public URL, which exists once the server listens: bind the app late.
  const late: { app?: express.Express } = {};
  const server = await listen((req, res) => late.app!(req, res));
  const publicUrl = options.publicUrl ?? server.url;
  const attempts = options.attempts ?? new Map<string, AttemptConfig>();
  const completions: Completion[] = [];
  const resolveCalls = new Map<string, number>();
  const app = express();
  app.use(
    createAuthRouter({
      publicUrl,
      sessionSecret: 'test-session-secret',
      flowState: options.flowState,
      resolveAttempt: async (attemptId: string) => {
        resolveCalls.set(attemptId, (resolveCalls.get(attemptId) ?? 0) + 1);
        return attempts.get(attemptId) ?? null;
      },
      onComplete: (attemptId: string | undefined, outcome: FlowOutcome, _req: Request, res: Response) => {
        completions.push({ attemptId, outcome });
        res
          .status(outcome.ok ? 200 : 400)
          .json({ attemptId, ok: outcome.ok, code: outcome.ok ? undefined : outcome.error.code });
      },
    }),
  );
  late.app = app;
  return {
    ...server,
    redirectUri: redirectUriFor(publicUrl),
    attempts,
    completions,
    resolveCalls,
    connectUrl: (attemptId: string) => connectUrlFor(publicUrl, attemptId),
  };
}
