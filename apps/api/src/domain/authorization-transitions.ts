import type { Credentials } from '@connections/auth-flows';
import { AuthorizationEventType } from '@connections/schema';
import { type DataSource, In } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { AuthorizationRow, ConnectionRow, UserRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { AuthorizationEvents, EventTx } from './authorization-events';
import type { AuthorizationStore, Person } from './authorization-store';
import { sealCredentials } from './credentials-store';
import { NO_TOKENS, REFRESH_RESET, tokenColumns } from './refresh-state';
import { recordScopeGap } from './scope-drift';
import { establish } from './unfinished-connections';
import type { Viewer } from './viewer';

// `scopes` (what the connection requests), when the caller has it, is checked against what was granted.
export type EventConnection = Pick<ConnectionRow, 'id' | 'workspaceId' | 'linkName' | 'ownerId'> &
  Partial<Pick<ConnectionRow, 'scopes'>>;

export interface ConnectedInput {
  auth: AuthorizationRow;
  connection: EventConnection;
  principal: Person;
  actorId: string;
  attemptId: string;
  credentials: Credentials;
  /** OAuth: what the provider granted and who the upstream account is; the dance, not typed credentials. */
  oauth?: { grantedScopes: string[]; account?: { id?: string; name?: string; email?: string } | null };
}

export interface FlowFailedInput {
  auth: AuthorizationRow;
  connection: EventConnection;
  principal: Person;
  actorId: string;
  attemptId: string;
  status: 'DENIED' | 'FAILED';
  message: string;
}

const cut = (s: string | undefined | null, n: number) => s?.slice(0, n) ?? null;

/**
 * Every change of an authorization's status, and (with RefreshTransitions, which holds the refresh's) the only
 * code that writes authorization rows. Each transition seals or clears the tokens and records its event in the
 * same transaction; the event goes on the bus after that transaction commits (EventTx). Transitions that run
 * on their own (refresh, revoke) open and publish their own transaction.
 */
export class AuthorizationTransitions {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly store: AuthorizationStore,
    private readonly events: AuthorizationEvents,
  ) {}

  /** The principal's authorization, created PENDING when they have none yet (a first connect). */
  async begin(tx: EventTx, connection: ConnectionRow, principalId: string): Promise<AuthorizationRow> {
    const m = tx.manager;
    const existing = await this.store.find(connection.id, principalId, m);
    if (existing) return existing;
    const auth = m.create(AuthorizationRow, {
      id: newId(),
      workspaceId: connection.workspaceId,
      connectionId: connection.id,
      principalId,
      status: 'PENDING',
      grantedScopes: [],
      credentialsEncrypted: null,
    });
    return m.save(AuthorizationRow, auth);
  }

  /**
   * Credentials landed (a callback, or BASIC / API_KEY credentials): CONNECTED, AUTHORIZED or REAUTHORIZED, and
   * ACCOUNT_CHANGED when an OAuth reconnect landed on another upstream account.
   */
  async connected(tx: EventTx, c: ConnectedInput): Promise<void> {
    const { auth, connection, credentials: creds } = c;
    const had = !!auth.credentialsEncrypted;
    const previousAccount = auth.accountId;
    const account = c.oauth ? c.oauth.account : creds.type === 'BASIC' ? { id: creds.username } : null;
    await tx.manager.update(
      AuthorizationRow,
      { id: auth.id },
      {
        status: 'CONNECTED',
        credentialsEncrypted: sealCredentials(this.box, auth.id, creds),
        ...(c.oauth ? { grantedScopes: c.oauth.grantedScopes } : {}),
        ...tokenColumns(creds),
        ...REFRESH_RESET,
        accountId: cut(account?.id, 255),
        accountName: cut(c.oauth ? (c.oauth.account?.name ?? c.oauth.account?.email) : account?.id, 255),
        lastError: null,
        connectedAt: new Date(),
      },
    );
    // The first success finishes a connection made by createAndConnect (listed for everyone from now on).
    await establish(tx.manager, connection.id);
    const base = { connection, principal: c.principal, actorId: c.actorId, attemptId: c.attemptId };
    const label = account && c.oauth ? (account.name ?? account.email ?? account.id) : undefined;
    const message = c.oauth
      ? `${c.principal.email} ${had ? 're-authorized' : 'authorized'} ${connection.linkName}${label ? ` as ${label}` : ''}`
      : `${c.principal.email} ${had ? 'replaced the credentials of' : 'connected'} ${connection.linkName}`;
    const type = had ? AuthorizationEventType.REAUTHORIZED : AuthorizationEventType.AUTHORIZED;
    await this.events.record(tx, { ...base, type, status: 'CONNECTED', message });
    if (c.oauth && previousAccount && account?.id && previousAccount !== account.id)
      await this.events.record(tx, {
        ...base,
        type: AuthorizationEventType.ACCOUNT_CHANGED,
        status: 'CONNECTED',
        message: `${connection.linkName} now uses another upstream account (${label})`,
      });
    if (c.oauth)
      await recordScopeGap(this.events, tx, {
        ...base,
        status: 'CONNECTED',
        requested: connection.scopes,
        granted: c.oauth.grantedScopes,
      });
  }

  /** The browser flow was denied or failed: a first authorization records why; working credentials stay. */
  async flowFailed(tx: EventTx, f: FlowFailedInput): Promise<void> {
    const first = f.auth.status === 'PENDING';
    if (first)
      await tx.manager.update(
        AuthorizationRow,
        { id: f.auth.id },
        { status: f.status, lastError: f.message.slice(0, 1000) },
      );
    await this.events.record(tx, {
      type: f.status === 'DENIED' ? AuthorizationEventType.DENIED : AuthorizationEventType.FAILED,
      connection: f.connection,
      principal: f.principal,
      actorId: f.actorId,
      attemptId: f.attemptId,
      status: first ? f.status : f.auth.status,
      message: `${f.connection.linkName}: ${f.message}`,
    });
  }

  /** Revoked by us: the credentials are removed whatever the provider said (it may not have confirmed). */
  async revoked(
    viewer: Viewer,
    connection: EventConnection,
    auth: AuthorizationRow,
    upstreamConfirmed: boolean,
  ): Promise<void> {
    const principal = await this.store.person(auth.principalId, viewer);
    await this.events.transaction(this.ds, async (tx) => {
      await tx.manager.update(
        AuthorizationRow,
        { id: auth.id },
        {
          status: 'REVOKED',
          ...NO_TOKENS,
          lastError: upstreamConfirmed
            ? null
            : 'The provider could not confirm the revocation; the credentials were removed here.',
        },
      );
      await this.events.record(tx, {
        type: AuthorizationEventType.REVOKED,
        connection,
        principal,
        actorId: viewer.userId,
        status: 'REVOKED',
        message: `${viewer.user.email} revoked ${principal.email}'s authorization of ${connection.linkName}${upstreamConfirmed ? '' : ' (the provider did not confirm)'}`,
      });
    });
  }

  /**
   * The connection is being deleted in the caller's transaction: one DELETED event for the owner and one for
   * every other user who had authorized it (so each of them hears it), then its authorizations go.
   */
  async deleted(tx: EventTx, viewer: Viewer, connection: EventConnection, authorizations: number) {
    const m = tx.manager;
    const principalIds = new Set([connection.ownerId, ...(await this.store.principalsOf(connection.id, m))]);
    const users = await m.findBy(UserRow, { id: In([...principalIds]) });
    for (const u of users)
      await this.events.record(tx, {
        type: AuthorizationEventType.DELETED,
        connection,
        principal: { id: u.id, email: u.email, displayName: u.displayName },
        actorId: viewer.userId,
        status: 'REVOKED',
        message: `${viewer.user.email} deleted ${connection.linkName} and its ${authorizations} authorization(s)`,
      });
    await m.delete(AuthorizationRow, { connectionId: connection.id });
  }

  /**
   * An admin changed where a custom service sends credentials (a new origin among its API base URLs, refresh
   * or revoke URL): every authorization of its connections that holds credentials goes NEEDS_REAUTH with them
   * cleared, since they were issued for the old hosts and the new ones must never receive them (not by a call,
   * a refresh, nor a revoke when the connection is deleted); one NEEDS_REAUTH event each, the admin as actor.
   * Without `confirmed` nothing is written: the caller asks first. Returns how many hold credentials.
   */
  async serviceHostsChanged(
    tx: EventTx,
    viewer: Viewer,
    service: { id: string; name: string },
    fields: string[],
    confirmed: boolean,
  ): Promise<number> {
    const m = tx.manager;
    const qb = m
      .getRepository(AuthorizationRow)
      .createQueryBuilder('a')
      .innerJoin(ConnectionRow, 'c', '"c"."id" = "a"."connectionId"')
      .where('"c"."serviceId" = :id AND "a"."credentialsEncrypted" IS NOT NULL', { id: service.id })
      .select('"a"."id"', 'authId')
      .addSelect('"a"."principalId"', 'principalId');
    for (const column of ['id', 'workspaceId', 'linkName', 'ownerId', 'extensionId'])
      qb.addSelect(`"c"."${column}"`, column);
    const held = await qb.getRawMany<EventConnection & { authId: string; principalId: string }>();
    if (!confirmed || held.length === 0) return held.length;
    const why = `${viewer.user.email} changed ${fields.join(', ')} of ${service.name}`;
    for (let i = 0; i < held.length; i += 500)
      await m.update(
        AuthorizationRow,
        { id: In(held.slice(i, i + 500).map((a) => a.authId)) },
        {
          status: 'NEEDS_REAUTH',
          ...NO_TOKENS,
          lastError: `${why}: reconnect`,
        },
      );
    for (const connection of held)
      await this.events.record(tx, {
        type: AuthorizationEventType.NEEDS_REAUTH,
        connection,
        principal: await this.store.person(connection.principalId, viewer, m),
        actorId: viewer.userId,
        status: 'NEEDS_REAUTH',
        message: `${connection.linkName} must be reconnected: ${why}`,
      });
    return held.length;
  }
}
