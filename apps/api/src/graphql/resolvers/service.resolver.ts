import {
  CreateCustomServiceInput,
  Service,
  ServiceFilter,
  ServicePage,
  SetServiceApiBaseUrlsInput,
  SetServiceCredentialsInput,
  UpdateServiceInput,
} from '@connections/schema';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { pageOf, pageWindow } from '../../domain/pagination';
import { requireAdmin, requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class ServiceResolver {
  @Query(() => ServicePage, { description: "The catalog and the workspace's custom services." })
  async services(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => ServiceFilter, { nullable: true }) filter?: ServiceFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ServicePage> {
    const v = requireViewer(ctx.viewer);
    const window = pageWindow(first, after);
    const { nodes, total } = await ctx.app.registry.list(v.workspaceId, filter ?? {}, window);
    return pageOf(nodes, total, window);
  }

  @Query(() => Service)
  async service(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('slug', () => String, { nullable: true }) slug?: string,
  ): Promise<Service> {
    return ctx.app.registry.find(requireViewer(ctx.viewer).workspaceId, { id, slug });
  }

  @Mutation(() => Service, { description: 'Admins only.' })
  async createCustomService(
    @Arg('input') input: CreateCustomServiceInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Service> {
    return ctx.app.registry.createCustom(requireAdmin(ctx.viewer), input);
  }

  @Mutation(() => Service, { description: 'Admins only. Custom services only.' })
  async updateService(@Arg('input') input: UpdateServiceInput, @Ctx() ctx: GqlContext): Promise<Service> {
    return ctx.app.registry.update(requireAdmin(ctx.viewer), input);
  }

  @Mutation(() => ID, { description: 'Admins only. Refused while connections use the service.' })
  async deleteService(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<string> {
    return ctx.app.registry.delete(requireAdmin(ctx.viewer), id);
  }

  @Mutation(() => Service, {
    description:
      "Admins only. Sets the workspace's OAuth client for a catalog service, with the tenant host it belongs " +
      'to for services with a [subdomain].',
  })
  async setServiceCredentials(
    @Arg('input') input: SetServiceCredentialsInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Service> {
    return ctx.app.registry.setCredentials(requireAdmin(ctx.viewer), input);
  }

  @Mutation(() => Service, {
    description:
      "Admins only. Replaces a catalog service's API base URLs for this workspace (regional or self-hosted " +
      "variants); an empty list restores the catalog's. Invocations and test requests follow it.",
  })
  async setServiceApiBaseUrls(
    @Arg('input') input: SetServiceApiBaseUrlsInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Service> {
    return ctx.app.registry.setApiBaseUrls(requireAdmin(ctx.viewer), input);
  }
}
