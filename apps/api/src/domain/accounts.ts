import type { ApiToken, CreatedApiToken, Viewer as ViewerView } from '@connections/schema';
import type { Logger } from 'pino';
import { type DataSource } from 'typeorm';
import type { Config } from '../config';
import { ApiTokenRow, MembershipRow, SessionRow, UserRow, WorkspaceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { hydrate } from '../db/hydrate';
import { ViewerCache } from './viewer-cache';
import type { Role } from '../db/entities/membership';
import { notFound } from '../errors';
import { tokenView, viewerView } from './account-views';
import type { AuditService } from './audit';
import type { InvalidationKind, Invalidator } from './invalidation';
import { generatePassword, hashPassword, newOpaqueToken, sha256 } from './secrets';
import type { Viewer } from './viewer';

// While announcements from other replicas cannot arrive, a cached credential may already be revoked there:
// remember it for one second at most, the bound the invalidation channel keeps when it is up.
const UNINFORMED_TTL_MS = 1_000;

/**
 * Who is calling: credentials (session cookie, API token) resolved to a viewer through a short cache that every
 * revocation empties on every replica; the first admin; API tokens. Sign-in, sign-out and passwords live in
 * sessions.ts, members in members.ts.
 */
export class AccountsService {
  private readonly viewers: ViewerCache;
  /**
   * API tokens by the token itself: a hit (every call of a busy integrator) costs one map lookup, no hashing.
   * The token is in this process's memory during each request anyway; the database keeps only its hash.
   */
  private readonly tokenViewers: ViewerCache;

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: Config,
    private readonly invalidator: Invalidator,
  ) {
    const ttl = () =>
      invalidator.live() ? config.authCacheMs : Math.min(config.authCacheMs, UNINFORMED_TTL_MS);
    this.viewers = new ViewerCache(ttl);
    this.tokenViewers = new ViewerCache(ttl);
    invalidator.onInvalidate((kind, id) => this.evict(kind, id));
  }

  /** Drops cached viewers made stale by a change here or on another replica. */
  private evict(kind: InvalidationKind, id: string): void {
    for (const cache of [this.viewers, this.tokenViewers])
      if (kind === 'all') cache.clear();
      else if (kind === 'apiToken') cache.evict((v) => v.apiTokenId === id);
      else if (kind === 'session') cache.evict((v) => v.sessionId === id);
      else if (kind === 'user') cache.evict((v) => v.userId === id);
  }

  /** First start: one workspace and its admin. Returns the generated password when one was made. */
  async bootstrap(logger: Logger): Promise<{ created: boolean; email: string; generatedPassword?: string }> {
    const email = this.config.admin.email;
    if ((await this.ds.getRepository(WorkspaceRow).count()) > 0) return { created: false, email };
    const generatedPassword = this.config.admin.password ? undefined : generatePassword();
    const passwordHash = await hashPassword(this.config.admin.password ?? generatedPassword!);
    await this.ds.transaction(async (m) => {
      const workspace = await m.save(
        WorkspaceRow,
        m.create(WorkspaceRow, { id: newId(), name: this.config.workspaceName }),
      );
      let user = await m.findOneBy(UserRow, { email });
      if (!user)
        user = await m.save(
          UserRow,
          m.create(UserRow, { id: newId(), email, displayName: 'Admin', passwordHash }),
        );
      await m.save(
        MembershipRow,
        m.create(MembershipRow, { id: newId(), workspaceId: workspace.id, userId: user.id, role: 'ADMIN' }),
      );
    });
    logger.info({ email }, 'created the first workspace and its admin');
    return { created: true, email, generatedPassword };
  }

  /** Resolves a session cookie value or an API token to a viewer; null when unknown, expired or revoked. */
  async viewerForSession(token: string): Promise<Viewer | null> {
    const hash = sha256(token);
    const cached = this.viewers.get(`s:${hash}`);
    if (cached) return cached;
    const r = await this.ds
      .getRepository(SessionRow)
      .createQueryBuilder('x')
      .innerJoin(MembershipRow, 'm', '"m"."workspaceId" = "x"."workspaceId" AND "m"."userId" = "x"."userId"')
      .innerJoin(UserRow, 'u', '"u"."id" = "x"."userId"')
      .select(['x.id', 'x.workspaceId', 'x.userId', 'x.expiresAt', 'm.role', 'u.email', 'u.displayName'])
      .where('"x"."tokenHash" = :hash AND "x"."expiresAt" > :now', { hash, now: new Date() })
      .getRawOne<Record<string, string>>();
    if (!r) return null;
    const expiresAt = hydrate(this.ds, SessionRow, r, 'x').expiresAt;
    const viewer: Viewer = {
      userId: r.x_userId!,
      workspaceId: r.x_workspaceId!,
      role: r.m_role as Role,
      authMethod: 'SESSION',
      sessionId: r.x_id,
      user: { id: r.x_userId!, email: r.u_email!, displayName: r.u_displayName! },
    };
    this.viewers.set(`s:${hash}`, viewer, expiresAt.getTime());
    return viewer;
  }

  /** One query per request: the token, its owner's membership and the owner. */
  async viewerForApiToken(token: string): Promise<Viewer | null> {
    const cached = this.tokenViewers.get(token);
    if (cached) return cached;
    const hash = sha256(token);
    const raw = await this.ds
      .getRepository(ApiTokenRow)
      .createQueryBuilder('t')
      .innerJoin(MembershipRow, 'm', '"m"."workspaceId" = "t"."workspaceId" AND "m"."userId" = "t"."userId"')
      .innerJoin(UserRow, 'u', '"u"."id" = "t"."userId"')
      .select(['t.id', 't.workspaceId', 't.userId', 't.lastUsedAt', 'm.role', 'u.email', 'u.displayName'])
      .where('"t"."tokenHash" = :hash AND "t"."revokedAt" IS NULL', { hash })
      .getRawOne<Record<string, unknown>>();
    if (!raw) return null;
    const row = hydrate(this.ds, ApiTokenRow, raw, 't');
    // Coarse last-used stamp: at most one write per token per minute.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)
      await this.ds.getRepository(ApiTokenRow).update({ id: row.id }, { lastUsedAt: new Date() });
    const viewer: Viewer = {
      userId: row.userId,
      workspaceId: row.workspaceId,
      role: raw.m_role as Role,
      authMethod: 'API_TOKEN',
      apiTokenId: row.id,
      user: { id: row.userId, email: raw.u_email as string, displayName: raw.u_displayName as string },
    };
    this.tokenViewers.set(token, viewer);
    return viewer;
  }

  /** The viewer as the API shows it. The user came with the credentials; only the workspace is read. */
  async describe(viewer: Viewer): Promise<ViewerView> {
    const ws = await this.ds.getRepository(WorkspaceRow).findOneBy({ id: viewer.workspaceId });
    if (!ws) throw notFound('Workspace');
    return viewerView(viewer, ws);
  }

  async createApiToken(viewer: Viewer, name: string): Promise<CreatedApiToken> {
    const token = newOpaqueToken('cnx_live');
    const row = await this.ds.getRepository(ApiTokenRow).save({
      id: newId(),
      workspaceId: viewer.workspaceId,
      userId: viewer.userId,
      name: name.trim(),
      prefix: token.slice(0, 12),
      tokenHash: sha256(token),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.audit.record(viewer, {
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: row.id,
      message: `Created API token "${row.name}"`,
    });
    return { apiToken: tokenView(row), token };
  }

  async listApiTokens(viewer: Viewer): Promise<ApiToken[]> {
    const rows = await this.ds.getRepository(ApiTokenRow).find({
      where: { workspaceId: viewer.workspaceId, userId: viewer.userId },
      order: { createdAt: 'DESC' },
    });
    return rows.map(tokenView);
  }

  async revokeApiToken(viewer: Viewer, id: string): Promise<ApiToken> {
    const repo = this.ds.getRepository(ApiTokenRow);
    const row = await repo.findOneBy({ id, workspaceId: viewer.workspaceId });
    // Admins may revoke anyone's token in their workspace; members only their own.
    if (!row || (row.userId !== viewer.userId && viewer.role !== 'ADMIN')) throw notFound('API token');
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await repo.save(row);
      this.invalidator.invalidate('apiToken', row.id);
      await this.audit.record(viewer, {
        action: 'api_token.revoked',
        targetType: 'api_token',
        targetId: row.id,
        message: `Revoked API token "${row.name}"`,
      });
    }
    return tokenView(row);
  }
}
