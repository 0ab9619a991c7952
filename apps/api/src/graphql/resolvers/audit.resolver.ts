import { AuditEventFilter, AuditEventPage } from '@connections/schema';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventPage, {
    description:
      "The activity log, newest first. Admins see the workspace's events; members those where they are the " +
      "actor or the principal, and the lifecycle of connections they own (not other users' calls or " +
      'authorizations on them). Filter by connection, member (actorId), kind and outcome.',
  })
  async auditEvents(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEventPage> {
    const viewer = requireViewer(ctx.viewer);
    // Invocation rows are written behind (AuditQueue): this process's pending ones first, so a call that has
    // returned is listed.
    await ctx.app.audit.flush();
    return ctx.app.auditLog.list(viewer, filter, first, after);
  }
}
