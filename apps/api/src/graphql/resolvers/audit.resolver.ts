import { AuditEvent, AuditEventFilter, AuditEventPage } from '@connections/schema';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { In } from 'typeorm';
import { UserRow } from '../../db/entities';
import { userView } from '../../domain/connections';
import { pageOf, pageWindow } from '../../domain/pagination';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventPage, {
    description:
      "Admins see the workspace's events; members see a connection's events they can see, or their own.",
  })
  async auditEvents(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEventPage> {
    const v = requireViewer(ctx.viewer);
    const window = pageWindow(first, after);
    const f = { ...filter };
    if (v.role !== 'ADMIN') {
      if (f.connectionId) await ctx.app.connections.findVisible(v, { id: f.connectionId });
      else f.actorId = v.userId;
    }
    const { rows, total } = await ctx.app.audit.list(v.workspaceId, f, window);
    const actorIds = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id))];
    const actors = new Map(
      actorIds.length ? (await ctx.app.audit.users(In(actorIds))).map((u: UserRow) => [u.id, u]) : [],
    );
    const nodes: AuditEvent[] = rows.map((r) => ({
      id: r.id,
      action: r.action,
      actor: r.actorId && actors.has(r.actorId) ? userView(actors.get(r.actorId)!) : null,
      targetType: r.targetType,
      targetId: r.targetId ?? null,
      connectionId: r.connectionId ?? null,
      message: r.message,
      metadata: r.metadata ?? null,
      createdAt: r.createdAt,
    }));
    return pageOf(nodes, total, window);
  }
}
