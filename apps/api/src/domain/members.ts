import type { Member } from '@connections/schema';
import type { Logger } from 'pino';
import { type DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { ApiTokenRow, ConnectionRow, MembershipRow, SessionRow, UserRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { Role } from '../db/entities/membership';
import { AppError, badInput, notFound } from '../errors';
import { memberView, removedMemberView, type RemovedMemberView } from './account-views';
import { forgetMember } from './connection-restriction';
import type { AuditService } from './audit';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';
import type { AuthorizationsService } from './authorizations';
import type { Invalidator } from './invalidation';
import { hashPassword } from './secrets';
import type { Viewer } from './viewer';

/** What a removal cut off in its transaction; announced to every replica once it has committed. */
interface CutOff {
  user: UserRow;
  sessions: string[];
  tokens: string[];
  connections: string[];
  /** Connections whose restriction named the removed member (taken off it). */
  unrestricted: string[];
}

/** A workspace's members: listing, adding, changing roles and removing them. */
export class MembersService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly invalidator: Invalidator,
    private readonly authorizations: Pick<AuthorizationsService, 'revokeUpstream'>,
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
    private readonly logger: Logger,
  ) {}

  async list(workspaceId: string): Promise<Member[]> {
    const rows = await this.ds.getRepository(MembershipRow).find({
      where: { workspaceId },
      relations: { user: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((m) => memberView(m, m.user!));
  }

  async add(
    viewer: Viewer,
    input: { email: string; displayName?: string; password: string; role: Role },
  ): Promise<Member> {
    const email = input.email.trim().toLowerCase();
    return this.ds.transaction(async (m) => {
      let user = await m.findOneBy(UserRow, { email });
      if (user) {
        if (await m.findOneBy(MembershipRow, { workspaceId: viewer.workspaceId, userId: user.id }))
          throw new AppError('CONFLICT', `${email} is already a member of this workspace.`, {
            field: 'email',
          });
      } else {
        user = await m.save(
          UserRow,
          m.create(UserRow, {
            id: newId(),
            email,
            displayName: input.displayName?.trim() || email.split('@')[0]!,
            passwordHash: await hashPassword(input.password),
          }),
        );
      }
      const membership = await m.save(
        MembershipRow,
        m.create(MembershipRow, {
          id: newId(),
          workspaceId: viewer.workspaceId,
          userId: user.id,
          role: input.role,
        }),
      );
      await this.audit.record(
        viewer,
        {
          action: 'member.added',
          targetType: 'user',
          targetId: user.id,
          message: `Added ${email} as ${input.role}`,
          metadata: { role: input.role },
        },
        m,
      );
      return memberView(membership, user);
    });
  }

  async setRole(viewer: Viewer, userId: string, role: Role): Promise<Member> {
    const member = await this.ds.transaction(async (m) => {
      const membership = await m.findOne(MembershipRow, {
        where: { workspaceId: viewer.workspaceId, userId },
        relations: { user: true },
      });
      if (!membership) throw notFound('Member');
      if (membership.role === 'ADMIN' && role !== 'ADMIN') {
        const admins = await m.countBy(MembershipRow, { workspaceId: viewer.workspaceId, role: 'ADMIN' });
        if (admins <= 1) throw badInput('role', 'the workspace must keep at least one admin');
      }
      membership.role = role;
      await m.save(MembershipRow, membership);
      await this.audit.record(
        viewer,
        {
          action: 'member.role_changed',
          targetType: 'user',
          targetId: userId,
          message: `Set ${membership.user?.email} to ${role}`,
          metadata: { role },
        },
        m,
      );
      return memberView(membership, membership.user!);
    });
    // After commit: every replica drops the viewers that still carry the old role, and closes their sockets.
    this.invalidator.invalidate('user', userId);
    return member;
  }

  /**
   * Removes a member (admins only; never oneself, so an admin always remains). In one transaction, so it
   * takes effect at once: the membership goes, their sessions in this workspace end, their API tokens here
   * are revoked, and the connections they own pass to the admin who removed them (an owner-credential
   * connection then has no usable authorization: its stored credentials are the removed user's upstream
   * account, so the new owner reconnects it). Then, outside the transaction because providers are slow, each
   * authorization the removed user held here is revoked at the provider (best effort) and here.
   */
  async remove(viewer: Viewer, userId: string): Promise<RemovedMemberView> {
    if (userId === viewer.userId)
      throw badInput('userId', 'you cannot remove yourself; another admin can remove you');
    const cut = await this.ds.transaction((m) => this.cutOff(viewer, userId, m));
    // After commit: every replica forgets these credentials and closes the sockets that carry them. Per
    // credential rather than per user: the user may still be signed in to another workspace.
    for (const id of cut.sessions) this.invalidator.invalidate('session', id);
    for (const id of cut.tokens) this.invalidator.invalidate('apiToken', id);
    for (const id of new Set([...cut.connections, ...cut.unrestricted]))
      this.invalidator.invalidate('connection', id);
    const revokedAuthorizations = await this.revokeAuthorizationsOf(viewer, userId);
    return removedMemberView(cut.user, {
      endedSessions: cut.sessions.length,
      revokedApiTokens: cut.tokens.length,
      transferredConnections: cut.connections.length,
      revokedAuthorizations,
    });
  }

  private async cutOff(viewer: Viewer, userId: string, m: EntityManager): Promise<CutOff> {
    const workspaceId = viewer.workspaceId;
    const membership = await m.findOne(MembershipRow, {
      where: { workspaceId, userId },
      relations: { user: true },
    });
    if (!membership) throw notFound('Member');
    const user = membership.user!;
    await m.delete(MembershipRow, { id: membership.id });
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const sessions = ids(await m.find(SessionRow, { select: { id: true }, where: { workspaceId, userId } }));
    if (sessions.length) await m.delete(SessionRow, { id: In(sessions) });
    const live = { workspaceId, userId, revokedAt: IsNull() };
    const tokens = ids(await m.find(ApiTokenRow, { select: { id: true }, where: live }));
    if (tokens.length) await m.update(ApiTokenRow, { id: In(tokens) }, { revokedAt: new Date() });
    const owned = await m.find(ConnectionRow, {
      select: { id: true, linkName: true, extensionId: true },
      where: { workspaceId, ownerId: userId },
    });
    if (owned.length) await m.update(ConnectionRow, { id: In(ids(owned)) }, { ownerId: viewer.userId });
    const unrestricted = await forgetMember(m, workspaceId, userId);
    for (const c of owned)
      await this.audit.record(
        viewer,
        {
          action: 'connection.owner_changed',
          targetType: 'connection',
          targetId: c.id,
          connectionId: c.id,
          extensionId: c.extensionId,
          message: `${c.linkName} passed from ${user.email} (removed) to ${viewer.user.email}`,
          metadata: { from: userId, to: viewer.userId },
        },
        m,
      );
    const counts = {
      endedSessions: sessions.length,
      revokedApiTokens: tokens.length,
      transferredConnections: owned.length,
    };
    await this.audit.record(
      viewer,
      {
        action: 'member.removed',
        targetType: 'user',
        targetId: userId,
        message: `Removed ${user.email} (${membership.role})`,
        metadata: { role: membership.role, ...counts },
      },
      m,
    );
    return { user, sessions, tokens, connections: ids(owned), unrestricted };
  }

  /**
   * Every authorization the removed user held in this workspace, on any connection: revoked at the provider
   * (best effort, as when a connection is deleted) and then here, one at a time so that one failure does not
   * keep the others. Nobody can use them any more (owner-credential connections now use the new owner's;
   * login-user ones only the removed user's own, who cannot sign in here): this only cleans up.
   */
  private async revokeAuthorizationsOf(viewer: Viewer, userId: string): Promise<number> {
    let revoked = 0;
    for (const auth of await this.store.heldBy(userId, viewer.workspaceId)) {
      try {
        const connection = await this.ds
          .getRepository(ConnectionRow)
          .findOneOrFail({ where: { id: auth.connectionId }, relations: { service: true } });
        const upstream = auth.credentialsEncrypted
          ? await this.authorizations.revokeUpstream(connection, auth)
          : 'NOTHING_TO_CALL';
        await this.transitions.revoked(viewer, connection, auth, upstream !== 'UPSTREAM_FAILED');
        revoked++;
      } catch (error) {
        this.logger.error(
          { err: error, authorizationId: auth.id },
          'could not revoke an authorization of a removed member',
        );
      }
    }
    return revoked;
  }
}
