import { Connection, ConnectionHealth } from '@connections/schema';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { NO_CALLS } from '../../domain/connection-health';
import { requireViewer } from '../../domain/viewer';
import { loadBatched } from '../batch';
import type { GqlContext } from '../context';

@Resolver(() => Connection)
export class ConnectionHealthResolver {
  /** Every connection of a page in one statement (see ConnectionHealthReader). */
  @FieldResolver(() => ConnectionHealth)
  async health(@Root() connection: Connection, @Ctx() ctx: GqlContext): Promise<ConnectionHealth> {
    const viewer = requireViewer(ctx.viewer);
    const health = await loadBatched(ctx, 'connection.health', connection.id, (ids) =>
      ctx.app.connectionHealth.forConnections(viewer, ids),
    );
    return health ?? NO_CALLS;
  }
}
