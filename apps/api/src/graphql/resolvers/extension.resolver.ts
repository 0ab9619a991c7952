import { CreateExtensionInput, Extension, InstallExtensionResult } from '@connections/schema';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin, requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class ExtensionResolver {
  @Query(() => [Extension], {
    description:
      "The workspace's extensions, each with its installed state and the connections the viewer can see.",
  })
  async extensions(@Ctx() ctx: GqlContext): Promise<Extension[]> {
    return ctx.app.extensions.list(requireViewer(ctx.viewer));
  }

  @Query(() => Extension)
  async extension(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Extension> {
    return ctx.app.extensions.get(requireViewer(ctx.viewer), id);
  }

  @Mutation(() => Extension, {
    description:
      'Admins only. Defines an extension: every connection definition is checked (service, link name unique ' +
      'in the set, scopes); nothing is created in the workspace until it is installed.',
  })
  async createExtension(
    @Arg('input') input: CreateExtensionInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Extension> {
    return ctx.app.extensions.create(requireAdmin(ctx.viewer), input);
  }

  // Admins only: an install creates connections that every member sees (login-user ones) or that run on the
  // installer's account for everyone, which is a workspace-wide decision like creating a custom service.
  @Mutation(() => InstallExtensionResult, {
    description:
      "Admins only. Creates the extension's connections in this workspace, all or none (CONFLICT when it is " +
      'already installed or a link name is taken). The installer owns them and authorizes each ' +
      'owner-credential connection (toAuthorize); login-user connections wait for each user to connect.',
  })
  async installExtension(
    @Arg('extensionId', () => ID) extensionId: string,
    @Ctx() ctx: GqlContext,
  ): Promise<InstallExtensionResult> {
    return ctx.app.extensions.install(requireAdmin(ctx.viewer), extensionId);
  }

  @Mutation(() => Extension, {
    description:
      'Admins only. Revokes every authorization of its connections at the provider (best effort), deletes ' +
      'the connections (a DELETED event each) and marks the extension not installed.',
  })
  async uninstallExtension(
    @Arg('extensionId', () => ID) extensionId: string,
    @Ctx() ctx: GqlContext,
  ): Promise<Extension> {
    return ctx.app.extensions.uninstall(requireAdmin(ctx.viewer), extensionId);
  }
}
