import {
  AuthorizationEvent,
  Connection,
  ConnectResult,
  CreateAndConnectInput,
  CredentialsInput,
} from '@connections/schema';
import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Ctx, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '../../domain/viewer';
import { type AuthorizationEventPayload, canSeeEvent } from '../../domain/authorization-events';
import type { GqlContext } from '../context';

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
      'Authorization events as they happen: admins see the workspace, others their own attempts and ' +
      'authorizations and the connections they own. Optionally narrowed to one connection or attempt.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GqlContext;
      const viewer = requireViewer(ctx.viewer);
      // Guarded like a query: a connection the viewer cannot see is NOT_FOUND before anything is sent.
      if (args.connectionId)
        await ctx.app.connections.findVisible(viewer, { id: args.connectionId as string });
      return pipe(
        ctx.app.bus.subscribe('AUTHORIZATION_EVENT'),
        filter(
          (e: AuthorizationEventPayload) =>
            canSeeEvent(viewer, e) &&
            (!args.connectionId || e.connectionId === args.connectionId) &&
            (!args.attemptId || e.attemptId === args.attemptId),
        ),
      );
    },
  })
  authorizationEvents(
    @Root() event: AuthorizationEventPayload,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId?: string,
    @Arg('attemptId', () => ID, { nullable: true }) _attemptId?: string,
  ): AuthorizationEvent {
    return { ...event, at: new Date(event.at), status: event.status as AuthorizationEvent['status'] };
  }
}
