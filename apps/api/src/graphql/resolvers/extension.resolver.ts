import { CreateExtensionInput, Extension, InstallExtensionResult } from '@connections/schema';
import { JSONObjectResolver } from 'graphql-scalars';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { badInput } from '../../errors';
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

  @Query(() => JSONObjectResolver, {
    description:
      'Admins only. The extension as a manifest document (format "connections.extension", formatVersion 1): ' +
      'its key, name, version, description and connection definitions, each service named by catalog slug ' +
      'or embedded as a custom-service definition. It never carries a secret (no client secret, no ' +
      'credentials). installExtension(manifest) installs it in any workspace, on this deployment or another.',
  })
  async exportExtension(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GqlContext,
  ): Promise<Record<string, unknown>> {
    return ctx.app.extensions.export(requireAdmin(ctx.viewer), id);
  }

  // Admins only: an install creates connections that every member sees (login-user ones) or that run on the
  // installer's account for everyone, which is a workspace-wide decision like creating a custom service.
  @Mutation(() => InstallExtensionResult, {
    description:
      "Admins only; give exactly one of extensionId and manifest. extensionId: creates that extension's " +
      'connections in this workspace, all or none (CONFLICT when it is already installed or a link name is ' +
      'taken). manifest (a document from exportExtension): installs it here; when an extension with its key ' +
      'is installed, a newer version upgrades it in place (connections matched by link name; authorizations ' +
      'kept where the service and scopes did not change) and the same or an older version is a CONFLICT. ' +
      'Custom services are matched to an identical one of the workspace or created without a client secret ' +
      '(servicesToConfigure). Errors name the field inside the document, e.g. ' +
      'manifest.connections.2.service.custom.accessTokenUrl. The installer owns the connections and ' +
      'authorizes each owner-credential connection (toAuthorize); login-user connections wait for each user ' +
      'to connect.',
  })
  async installExtension(
    @Arg('extensionId', () => ID, { nullable: true }) extensionId: string | null | undefined,
    @Arg('manifest', () => JSONObjectResolver, { nullable: true })
    manifest: Record<string, unknown> | null | undefined,
    @Ctx() ctx: GqlContext,
  ): Promise<InstallExtensionResult> {
    const viewer = requireAdmin(ctx.viewer);
    if (!extensionId === !manifest)
      throw badInput(
        extensionId ? 'manifest' : 'extensionId',
        'give exactly one of extensionId and manifest',
      );
    return extensionId
      ? ctx.app.extensions.install(viewer, extensionId)
      : ctx.app.extensions.installManifest(viewer, manifest);
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
