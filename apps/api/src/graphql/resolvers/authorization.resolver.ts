import {
  AuthorizationEvent,
  AuthorizationEventFilter,
  AuthorizationEventPage,
  AuthorizationEventType,
  Connection,
  ConnectResult,
  CreateAndConnectInput,
  CredentialsInput,
} from '@connections/schema';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '../../domain/viewer';
import type { AuthorizationEventPayload } from '../../domain/authorization-events';
import { eventPage, followEvents, type StreamFailure } from '../../domain/event-feed';
import type { EventFilter } from '../../domain/event-log';
import { authorizationEventView } from '../../domain/event-views';
import type { GqlContext } from '../context';

const AFTER =
  'A cursor from an earlier event: first every stored event after it that the viewer may see, then live ones, ' +
  'each once and in order. CURSOR_EXPIRED when events after it were deleted by retention: resync with ' +
  '`connections`, then subscribe without it.';

@Resolver()
export class AuthorizationResolver {
  @Mutation(() => ConnectResult, {
    description:
      'Creates a connection and starts its authorization as the current user. OAuth: open authorizeUrl. ' +
      'BASIC / API_KEY: pass credentials; the connection is CONNECTED at once.',
  })
  async createAndConnect(
    @Arg('input') input: CreateAndConnectInput,
    @Ctx() ctx: GqlContext,
  ): Promise<ConnectResult> {
    return ctx.app.authorizations.createAndConnect(requireViewer(ctx.viewer), input);
  }

  @Mutation(() => ConnectResult, {
    description:
      'Authorizes or re-authorizes a connection as the current user (the owner or an admin for owner-credential ' +
      'connections). Working credentials stay in place until the new ones land.',
  })
  async connect(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: GqlContext,
    @Arg('credentials', () => CredentialsInput, { nullable: true }) credentials?: CredentialsInput,
  ): Promise<ConnectResult> {
    return ctx.app.authorizations.connect(requireViewer(ctx.viewer), connectionId, credentials);
  }

  @Mutation(() => Connection, {
    description:
      "Revokes the viewer's authorization (the owner's for owner-credential connections) at the provider when it " +
      'has a revoke endpoint, then removes the stored credentials even if the provider failed.',
  })
  async revokeAuthorization(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: GqlContext,
  ): Promise<Connection> {
    const viewer = requireViewer(ctx.viewer);
    await ctx.app.authorizations.revoke(viewer, connectionId);
    return ctx.app.connections.get(viewer, { id: connectionId });
  }

  @Subscription(() => AuthorizationEvent, {
    description:
      'Authorization events: admins see the workspace, others the events of their own attempts and ' +
      'authorizations and the ones they caused. Narrowed by connection, attempt, types and extension. With ' +
      '`after`, stored events first, then live ones, with no gap and no duplicate; every event carries its cursor.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GqlContext;
      const viewer = requireViewer(ctx.viewer);
      const wanted = args as EventFilter & { after?: string | null };
      // Guarded like a query: a connection the viewer cannot see is NOT_FOUND before anything is sent.
      if (wanted.connectionId) await ctx.app.connections.findVisible(viewer, { id: wanted.connectionId });
      // Each event is checked against who the socket is now, not who it was when the subscription began:
      // a forbidden socket (revoked, signed out, role changed) gets nothing more while it closes.
      const current = ctx.currentViewer ?? (() => viewer);
      return followEvents(ctx.app.eventLog, () => ctx.app.bus.subscribe('AUTHORIZATION_EVENT'), {
        workspaceId: viewer.workspaceId,
        filter: wanted,
        after: wanted.after,
        visible: (e: AuthorizationEventPayload) => {
          const now = current();
          return !!now && ctx.app.connections.canSeeEvent(now, e);
        },
      });
    },
  })
  authorizationEvents(
    @Root() event: AuthorizationEventPayload | StreamFailure,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId?: string,
    @Arg('attemptId', () => ID, { nullable: true }) _attemptId?: string,
    @Arg('types', () => [AuthorizationEventType], { nullable: true }) _types?: AuthorizationEventType[],
    @Arg('extensionId', () => ID, { nullable: true }) _extensionId?: string,
    @Arg('after', () => String, { nullable: true, description: AFTER }) _after?: string,
  ): AuthorizationEvent {
    // The stream's own end with an error (the cursor expired while replaying, the client fell behind).
    if ('failure' in event) throw event.failure;
    return authorizationEventView(event);
  }

  @Query(() => AuthorizationEventPage, {
    description:
      'Stored authorization events after a cursor (without one: from the oldest kept), oldest first, that the ' +
      'viewer may see: for tools that poll. Continue from pageInfo.endCursor. CURSOR_EXPIRED as for ' +
      'authorizationEvents.',
  })
  async authorizationEventsPage(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuthorizationEventFilter, { nullable: true }) filter?: AuthorizationEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuthorizationEventPage> {
    const viewer = requireViewer(ctx.viewer);
    if (filter?.connectionId) await ctx.app.connections.findVisible(viewer, { id: filter.connectionId });
    const page = await eventPage(ctx.app.eventLog, {
      workspaceId: viewer.workspaceId,
      filter: filter ?? {},
      after,
      first: first ?? 50,
      visible: (e) => ctx.app.connections.canSeeEvent(viewer, e),
    });
    return { nodes: page.nodes.map(authorizationEventView), pageInfo: page.pageInfo };
  }
}
