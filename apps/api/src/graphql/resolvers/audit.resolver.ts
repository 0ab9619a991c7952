import { AuditEventFilter, AuditEventPage } from '@connections/schema';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { auditEventsFor } from '../../domain/audit-log';
import { pageOf, pageWindow } from '../../domain/pagination';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventPage, {
    description:
      "Admins see the workspace's events; members those where they are the actor or the principal, and the " +
      "lifecycle of connections they own (not other users' calls or authorizations on them).",
  })
  async auditEvents(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEventPage> {
    const v = requireViewer(ctx.viewer);
    const window = pageWindow(first, after);
    const { nodes, total } = await auditEventsFor(ctx.app, v, filter, window);
    return pageOf(nodes, total, window);
  }
}
