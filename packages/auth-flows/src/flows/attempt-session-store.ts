import session, { type SessionData } from 'express-session';

/**
 * Where a host keeps the state of one attempt's flow (grant's `state`, PKCE verifier, OAuth 1.0a request
 * token secret, which attempt the browser started). The state holds secrets: a host encrypts it at rest.
 * `load` answers null once the attempt is unknown, finished or expired, so a finished flow cannot resume.
 */
export interface FlowStateStore {
  load(attemptId: string): Promise<Record<string, unknown> | null>;
  save(attemptId: string, state: Record<string, unknown>): Promise<void>;
  clear(attemptId: string): Promise<void>;
}

/**
 * express-session's store over a host's FlowStateStore, for sessions whose id is the attempt id: the state
 * lives with the attempt (in the host's database), so the provider's redirect can land on any replica.
 * The id alone is not a credential: express-session only accepts it from a cookie signed with the secret.
 */
export class AttemptSessionStore extends session.Store {
  constructor(private readonly flows: FlowStateStore) {
    super();
  }

  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.flows.load(sid).then(
      (state) => callback(null, state as unknown as SessionData | null),
      (error: unknown) => callback(error),
    );
  }

  set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    // The JSON form is what any store keeps (the cookie's expiry as a string, as express-session expects).
    const state = JSON.parse(JSON.stringify(sess)) as Record<string, unknown>;
    this.flows.save(sid, state).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.flows.clear(sid).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  /** Nothing to extend: the attempt's own expiry bounds the flow, not the browser's activity. */
  override touch(_sid: string, _sess: SessionData, callback?: () => void): void {
    callback?.();
  }
}
