import { type AttemptConfig, connectUrlFor, type FlowOutcome } from '@connections/auth-flows';
import { randomBytes } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { AuthorizationAttemptRow, type AuthorizationRow, ConnectionRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { AppError } from '../errors';
import { OAUTH_BASE_PATH } from '../oauth-urls';
import { AttemptFlowStore } from './attempt-flow-store';
import { type AttemptSummary, summarizeAttempt } from './attempt-summary';
import type { AuthorizationEvents, EventTx } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';
import { sha256 } from './secrets';
import type { ServiceRegistry } from './service-registry';
import type { UnfinishedConnections } from './unfinished-connections';
import type { Viewer } from './viewer';

export const ATTEMPT_TTL_MS = 10 * 60_000;

export interface AttemptResult {
  attemptId?: string;
  connectionId?: string;
  status: 'CONNECTED' | 'DENIED' | 'FAILED';
  message: string;
  /** The connection, its owner and who asked, named on the result page (not in the popup's message). */
  summary?: AttemptSummary;
}

/** The node:http agents grant's requests go through (token exchange, OAuth 1.0a steps, profile). */
export interface GrantAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

/**
 * The life of an OAuth attempt: created with the mutation; opened once, by the user who asked (session) or
 * with its one-time code (API-token clients) after the person holding it confirmed, within ten minutes;
 * completed once by the callback, which stores the credentials and moves the authorization in one
 * transaction.
 */
export class AttemptsService {
  /** The OAuth dance's state of each attempt in flight, kept in its row (the dance's session store). */
  readonly flows: AttemptFlowStore;
  /** The guarded agents the dance's own requests leave through (none in tests of the domain alone). */
  readonly grantAgents?: GrantAgents;
  /** Connections whose first attempt never succeeded: removed once their last attempt has expired. */
  readonly unfinished: UnfinishedConnections;

  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
    private readonly events: AuthorizationEvents,
    private readonly publicUrl: () => string,
    box: SecretBox,
    unfinished: UnfinishedConnections,
    network?: { grantAgents?: GrantAgents },
  ) {
    this.flows = new AttemptFlowStore(ds, box);
    this.unfinished = unfinished;
    this.grantAgents = network?.grantAgents;
  }

  async create(viewer: Viewer, connection: ConnectionRow, auth: AuthorizationRow, m: EntityManager) {
    // A console user opens the URL in the same browser (session cookie); an API-token client hands it to a
    // browser that has no session, so it carries a one-time code instead.
    const code = viewer.authMethod === 'API_TOKEN' ? randomBytes(24).toString('base64url') : null;
    const row = m.create(AuthorizationAttemptRow, {
      id: newId(),
      workspaceId: connection.workspaceId,
      connectionId: connection.id,
      authorizationId: auth.id,
      principalId: auth.principalId,
      userId: viewer.userId,
      codeHash: code ? sha256(code) : null,
      expiresAt: new Date(Date.now() + ATTEMPT_TTL_MS),
    });
    await m.save(AuthorizationAttemptRow, row);
    const url = connectUrlFor(this.publicUrl(), row.id, OAUTH_BASE_PATH);
    return { id: row.id, authorizeUrl: code ? `${url}?code=${code}` : url };
  }

  /** Closes an attempt that finished without a browser (BASIC / API_KEY). */
  async finish(attemptId: string, outcome: string, m: EntityManager): Promise<void> {
    await m.update(
      AuthorizationAttemptRow,
      { id: attemptId },
      { openedAt: new Date(), completedAt: new Date(), outcome },
    );
  }

  /**
   * The attempt, if this browser may open its link: signed in to the console as the user who asked, or
   * signed in as nobody and holding the one-time code. A browser signed in as someone else is refused even
   * with the code: the link was passed to the wrong person, whose upstream account would be bound to the
   * requester's connection.
   */
  private async openable(attemptId: string, viewer: Viewer | null, code: string | undefined) {
    const attempt = await this.ds.getRepository(AuthorizationAttemptRow).findOneBy({ id: attemptId });
    if (!attempt) throw new AppError('NOT_FOUND', 'This authorization link is not valid.');
    const byCode = !!code && !!attempt.codeHash && sha256(code) === attempt.codeHash;
    if (viewer ? viewer.userId !== attempt.userId : !byCode)
      throw new AppError(
        'FORBIDDEN',
        viewer
          ? 'This authorization link was made for another user.'
          : 'Sign in to the console first, then open this link again.',
      );
    if (attempt.completedAt || attempt.openedAt)
      throw new AppError(
        'CONFLICT',
        'This authorization link was already used. Start again from the console.',
      );
    if (attempt.expiresAt.getTime() <= Date.now())
      throw new AppError('CONFLICT', 'This authorization link has expired. Start again from the console.');
    return attempt;
  }

  /** What opening the link would do, for the confirmation page; opens nothing. */
  async describe(
    attemptId: string,
    viewer: Viewer | null,
    code: string | undefined,
  ): Promise<AttemptSummary> {
    const attempt = await this.openable(attemptId, viewer, code);
    const summary = await summarizeAttempt(this.ds.manager, attempt, (c) => this.serviceName(c));
    if (!summary) throw new AppError('NOT_FOUND', 'This authorization link is not valid.');
    return summary;
  }

  /** The authorize URL was opened: allowed once, by its user or with its code, before it expires. */
  async open(attemptId: string, viewer: Viewer | null, code: string | undefined): Promise<void> {
    await this.openable(attemptId, viewer, code);
    const { affected } = await this.ds
      .getRepository(AuthorizationAttemptRow)
      .createQueryBuilder()
      .update()
      .set({ openedAt: new Date() })
      .where('id = :id AND "openedAt" IS NULL', { id: attemptId })
      .execute();
    if (affected !== 1)
      throw new AppError(
        'CONFLICT',
        'This authorization link was already used. Start again from the console.',
      );
  }

  private serviceName(connection: ConnectionRow): string {
    try {
      return this.registry.protocolFor(connection).definition.displayName;
    } catch {
      return connection.service?.name ?? connection.service?.slug ?? 'the provider';
    }
  }

  /** grant's per-attempt configuration, for an opened, unfinished, unexpired attempt; null otherwise. */
  async config(attemptId: string): Promise<AttemptConfig | null> {
    const attempt = await this.ds.getRepository(AuthorizationAttemptRow).findOneBy({ id: attemptId });
    if (!attempt || !attempt.openedAt || attempt.completedAt || attempt.expiresAt.getTime() <= Date.now())
      return null;
    const connection = await this.ds
      .getRepository(ConnectionRow)
      .findOne({ where: { id: attempt.connectionId }, relations: { service: true } });
    if (!connection) return null;
    const { definition, client } = this.registry.protocolFor(connection);
    if (!client) return null;
    return {
      service: definition,
      client,
      scopes: connection.scopes,
      subdomain: connection.subdomain ?? undefined,
    };
  }

  /** The callback's outcome, stored in one transaction; events are published after it commits. */
  async complete(attemptId: string | undefined, outcome: FlowOutcome): Promise<AttemptResult> {
    if (!attemptId)
      return {
        status: 'FAILED',
        message: outcome.ok
          ? 'This callback belongs to no authorization in progress.'
          : outcome.error.message,
      };
    return this.events.transaction(this.ds, (tx) => this.completeIn(tx, attemptId, outcome));
  }

  private async completeIn(tx: EventTx, attemptId: string, outcome: FlowOutcome): Promise<AttemptResult> {
    const m = tx.manager;
    const attempt = await m.findOneBy(AuthorizationAttemptRow, { id: attemptId });
    if (!attempt) return { status: 'FAILED', message: 'This authorization attempt is unknown.' };
    const status = outcome.ok ? 'CONNECTED' : outcome.error.code === 'ACCESS_DENIED' ? 'DENIED' : 'FAILED';
    // Completing is a compare-and-set: a replayed callback finds the attempt closed and changes nothing.
    // The flow's state (PKCE verifier, token secret) goes with it: nothing of a finished flow lingers.
    const closed = await m
      .createQueryBuilder()
      .update(AuthorizationAttemptRow)
      .set({ completedAt: new Date(), outcome: status, flowState: null })
      .where('id = :id AND "completedAt" IS NULL AND "expiresAt" > :now', { id: attemptId, now: new Date() })
      .execute();
    if (closed.affected !== 1)
      return {
        attemptId,
        connectionId: attempt.connectionId,
        status: 'FAILED',
        message: 'This authorization attempt has already finished or expired.',
      };
    const connection = await m.findOneByOrFail(ConnectionRow, { id: attempt.connectionId });
    const auth = await this.store.find(attempt.connectionId, attempt.principalId, m);
    if (!auth || auth.id !== attempt.authorizationId)
      return {
        attemptId,
        connectionId: connection.id,
        status: 'FAILED',
        message: 'The authorization is gone.',
      };
    const principal = await this.store.person(auth.principalId, undefined, m);
    const base = { auth, connection, principal, actorId: attempt.userId, attemptId };
    const done = { attemptId, connectionId: connection.id };
    const summary = await summarizeAttempt(m, attempt, (c) => this.serviceName(c));
    if (!outcome.ok) {
      const failed = status as 'DENIED' | 'FAILED';
      await this.transitions.flowFailed(tx, { ...base, status: failed, message: outcome.error.message });
      return { ...done, status: failed, message: outcome.error.message, summary };
    }
    const account = outcome.account;
    await this.transitions.connected(tx, {
      ...base,
      credentials: outcome.credentials,
      oauth: { grantedScopes: outcome.grantedScopes, account },
    });
    const label = account?.name ?? account?.email ?? account?.id;
    const message = `Connected ${connection.linkName}${label ? ` as ${label}` : ''}.`;
    return { ...done, status: 'CONNECTED', message, summary };
  }
}
