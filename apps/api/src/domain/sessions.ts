import type { Logger } from 'pino';
import { type DataSource, In, IsNull, Not } from 'typeorm';
import type { Config } from '../config';
import { ApiTokenRow, MembershipRow, SessionRow, UserRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { AppError, badInput, forbidden } from '../errors';
import type { AuditService } from './audit';
import type { Invalidator } from './invalidation';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  needsRehash,
  newOpaqueToken,
  sha256,
  verifyPassword,
} from './secrets';
import {
  accountKey,
  addressKey,
  rateLimited,
  SIGN_IN_POLICIES,
  type Throttle,
  type ThrottleFactory,
} from './throttle';
import type { Viewer } from './viewer';

/** Where a password guess comes from: the account it names and the client address it came from. */
interface Guess {
  account: string;
  address: string;
  /** As read by the transport (see README "Security": which address, behind which proxy). */
  clientAddress: string | undefined;
}

/**
 * Console sessions and the password behind them: sign-in (throttled per account and per client address,
 * failures logged and audited, old hashes upgraded on success), sign-out, sign-out everywhere, and changing
 * one's password.
 */
export class SessionsService {
  private readonly accountThrottle: Throttle;
  private readonly addressThrottle: Throttle;

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: Config,
    private readonly invalidator: Invalidator,
    throttles: ThrottleFactory,
    private readonly logger: Logger,
  ) {
    this.accountThrottle = throttles(SIGN_IN_POLICIES.account);
    this.addressThrottle = throttles(SIGN_IN_POLICIES.address);
  }

  async signIn(
    email: string,
    password: string,
    clientAddress?: string,
  ): Promise<{ token: string; viewer: Viewer; expiresAt: Date }> {
    const normalized = email.trim().toLowerCase();
    const guess = { account: accountKey(normalized), address: addressKey(clientAddress), clientAddress };
    await this.takeAttempt(guess);
    const user = await this.ds.getRepository(UserRow).findOneBy({ email: normalized });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok) {
      await this.failed(user, guess, 'user.sign_in_failed');
      throw new AppError('UNAUTHENTICATED', 'The email or password is not right.');
    }
    await this.succeeded(guess);
    if (needsRehash(user.passwordHash)) await this.rehash(user, password);
    const membership = await this.ds
      .getRepository(MembershipRow)
      .findOne({ where: { userId: user.id }, order: { createdAt: 'ASC' } });
    if (!membership) throw new AppError('FORBIDDEN', 'This account is not a member of any workspace.');
    const token = newOpaqueToken('cnx_sess');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlMs);
    const session = await this.ds.getRepository(SessionRow).save({
      id: newId(),
      tokenHash: sha256(token),
      userId: user.id,
      workspaceId: membership.workspaceId,
      expiresAt,
    });
    const viewer: Viewer = {
      userId: user.id,
      workspaceId: membership.workspaceId,
      role: membership.role,
      authMethod: 'SESSION',
      sessionId: session.id,
      user: { id: user.id, email: user.email, displayName: user.displayName },
    };
    await this.audit.record(viewer, {
      action: 'user.signed_in',
      targetType: 'user',
      targetId: user.id,
      message: `${user.email} signed in`,
    });
    return { token, viewer, expiresAt };
  }

  async signOut(viewer: Viewer): Promise<void> {
    if (!viewer.sessionId) return;
    await this.ds.getRepository(SessionRow).delete({ id: viewer.sessionId });
    this.invalidator.invalidate('session', viewer.sessionId);
  }

  /**
   * Ends every console session of the viewer's user, in every workspace, this one included; with
   * `includeApiTokens`, revokes their API tokens too (a token is a separate credential: a lost laptop calls for
   * this, a forgotten browser does not).
   */
  async signOutEverywhere(
    viewer: Viewer,
    includeApiTokens: boolean,
  ): Promise<{ endedSessions: number; revokedApiTokens: number }> {
    const { userId } = viewer;
    const { sessions, tokens } = await this.ds.transaction(async (m) => {
      const sessions = (await m.find(SessionRow, { select: { id: true }, where: { userId } })).map(
        (s) => s.id,
      );
      if (sessions.length) await m.delete(SessionRow, { id: In(sessions) });
      const live = { userId, revokedAt: IsNull() };
      const tokens = includeApiTokens
        ? (await m.find(ApiTokenRow, { select: { id: true }, where: live })).map((t) => t.id)
        : [];
      if (tokens.length) await m.update(ApiTokenRow, { id: In(tokens) }, { revokedAt: new Date() });
      const counts = { endedSessions: sessions.length, revokedApiTokens: tokens.length };
      await this.audit.record(
        viewer,
        {
          action: 'user.signed_out_everywhere',
          targetType: 'user',
          targetId: userId,
          message: `${viewer.user.email} signed out everywhere (${sessions.length} session(s), ${tokens.length} API token(s))`,
          metadata: counts,
        },
        m,
      );
      return { sessions, tokens };
    });
    // After commit: every replica forgets these credentials and closes the sockets that carry them.
    for (const id of sessions) this.invalidator.invalidate('session', id);
    for (const id of tokens) this.invalidator.invalidate('apiToken', id);
    return { endedSessions: sessions.length, revokedApiTokens: tokens.length };
  }

  /**
   * Needs a console session and the current password (throttled like a sign-in: it is a password guess too).
   * The user's other sessions end; this one stays signed in. API tokens are untouched (signOutEverywhere).
   */
  async changePassword(
    viewer: Viewer,
    currentPassword: string,
    newPassword: string,
    clientAddress?: string,
  ): Promise<void> {
    if (viewer.authMethod !== 'SESSION' || !viewer.sessionId)
      throw forbidden('Change your password from a console session: an API token cannot.');
    const guess = {
      account: accountKey(viewer.user.email),
      address: addressKey(clientAddress),
      clientAddress,
    };
    await this.takeAttempt(guess);
    const user = await this.ds.getRepository(UserRow).findOneByOrFail({ id: viewer.userId });
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      await this.failed(user, guess, 'user.password_change_failed');
      throw badInput('currentPassword', 'is not your current password');
    }
    await this.succeeded(guess);
    const passwordHash = await hashPassword(newPassword);
    const keep = viewer.sessionId;
    const ended = await this.ds.transaction(async (m) => {
      await m.update(UserRow, { id: user.id }, { passwordHash });
      const others = { userId: user.id, id: Not(keep) };
      const ids = (await m.find(SessionRow, { select: { id: true }, where: others })).map((s) => s.id);
      if (ids.length) await m.delete(SessionRow, { id: In(ids) });
      await this.audit.record(
        viewer,
        {
          action: 'user.password_changed',
          targetType: 'user',
          targetId: user.id,
          message: `${user.email} changed their password; ${ids.length} other session(s) ended`,
          metadata: { endedSessions: ids.length },
        },
        m,
      );
      return ids;
    });
    for (const id of ended) this.invalidator.invalidate('session', id);
  }

  /**
   * Takes an attempt from both throttles before the password is checked. The address goes first: a refusal
   * for the account then gives the address its attempt back, so hammering one locked account does not also
   * lock out everyone behind the same address.
   */
  private async takeAttempt(guess: Guess): Promise<void> {
    const addressWait = await this.addressThrottle.attempt(guess.address);
    const accountWait = addressWait ? 0 : await this.accountThrottle.attempt(guess.account);
    if (accountWait) await this.addressThrottle.refund(guess.address);
    const wait = addressWait || accountWait;
    if (!wait) return;
    this.logger.warn(
      {
        clientAddress: guess.clientAddress,
        limitedBy: addressWait ? 'address' : 'account',
        retryAfterSeconds: wait,
      },
      'sign-in throttled',
    );
    throw rateLimited(wait);
  }

  /** A right password: the account's failures are forgotten, and the address's attempt does not count. */
  private async succeeded(guess: Guess): Promise<void> {
    await Promise.all([
      this.accountThrottle.reset(guess.account),
      this.addressThrottle.refund(guess.address),
    ]);
  }

  /**
   * A wrong password: the throttles' waits restart now. Logged, and audited in the account's workspace when
   * the email is a member's. The attempted password never is; an unknown email is not logged either (people
   * type passwords into the wrong field).
   */
  private async failed(user: UserRow | null, guess: Guess, action: string): Promise<void> {
    await Promise.all([
      this.accountThrottle.failed(guess.account),
      this.addressThrottle.failed(guess.address),
    ]);
    const clientAddress = guess.clientAddress ?? null;
    this.logger.warn({ userId: user?.id ?? null, clientAddress, action }, 'a password was refused');
    if (!user) return;
    const membership = await this.ds
      .getRepository(MembershipRow)
      .findOne({ where: { userId: user.id }, order: { createdAt: 'ASC' } });
    if (!membership) return;
    await this.audit.record(
      { workspaceId: membership.workspaceId, userId: null },
      {
        action,
        targetType: 'user',
        targetId: user.id,
        message: `A wrong password for ${user.email}${clientAddress ? ` from ${clientAddress}` : ''}`,
        metadata: { clientAddress },
      },
    );
  }

  /**
   * The hash was made at an older, cheaper cost: store one at today's. Compare-and-set on the old hash, so a
   * password changed meanwhile is never overwritten with the previous one.
   */
  private async rehash(user: UserRow, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.ds
      .getRepository(UserRow)
      .update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash });
  }
}
