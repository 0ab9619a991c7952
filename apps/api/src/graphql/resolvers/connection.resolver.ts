import {
  Connection,
  ConnectionFilter,
  ConnectionOrder,
  ConnectionPage,
  ConnectionScope,
  CreateConnectionInput,
  UpdateConnectionInput,
} from '@connections/schema';
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { pageOf, pageWindow } from '../../domain/pagination';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class ConnectionResolver {
  @Query(() => ConnectionPage)
  async connections(
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ConnectionFilter, { nullable: true }) filter?: ConnectionFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => ConnectionOrder, {
      nullable: true,
      description: 'Newest first when absent. Keep the same order for every page of a list.',
    })
    orderBy?: ConnectionOrder,
  ): Promise<ConnectionPage> {
    const v = requireViewer(ctx.viewer);
    const window = pageWindow(first, after);
    const { nodes, total } = await ctx.app.connections.list(
      v,
      { ...filter, scope: filter?.scope ?? ConnectionScope.ALL, orderBy, fields: nodeFields(info) },
      window,
    );
    return pageOf(nodes, total, window);
  }

  @Query(() => Connection)
  async connection(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('linkName', () => String, { nullable: true }) linkName?: string,
  ): Promise<Connection> {
    return ctx.app.connections.get(requireViewer(ctx.viewer), { id, linkName });
  }

  @Mutation(() => Connection)
  async createConnection(
    @Arg('input') input: CreateConnectionInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Connection> {
    return ctx.app.connections.create(requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Connection, {
    description:
      'Renames a connection (its display name: the link name is immutable), changes the scopes it requests, or ' +
      'who may use it. The owner or an admin only. A scope change keeps existing authorizations working with ' +
      'what they were granted; their missingScopes show what a re-authorization would add.',
  })
  async updateConnection(
    @Arg('input') input: UpdateConnectionInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Connection> {
    return ctx.app.connections.update(requireViewer(ctx.viewer), input);
  }

  @Mutation(() => ID, {
    description:
      'The owner or an admin only. Revokes every authorization at the provider first (best effort).',
  })
  async deleteConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<string> {
    return ctx.app.authorizations.deleteConnection(requireViewer(ctx.viewer), id);
  }
}

/**
 * The fields the query asks of each node (`nodes { ... }`, through fragments), so that the list reads only
 * their columns. Directives are not evaluated: a field under @skip or @include counts as asked, which can only
 * read more columns than needed, never fewer.
 */
function nodeFields(info: GraphQLResolveInfo): Set<string> {
  const fields = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, inNodes: boolean): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (inNodes) fields.add(s.name.value);
        else if (s.name.value === 'nodes') walk(s.selectionSet, true);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, inNodes);
      else walk(info.fragments[s.name.value]?.selectionSet, inNodes);
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, false);
  return fields;
}
