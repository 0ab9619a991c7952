import {
  AddMemberInput,
  ApiToken,
  CreateApiTokenInput,
  CreatedApiToken,
  Member,
  SetMemberRoleInput,
  SignInInput,
  Viewer as ViewerType,
} from '@connections/schema';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin, requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class AccountResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The caller, or null when not signed in.' })
  async viewer(@Ctx() ctx: GqlContext): Promise<ViewerType | null> {
    return ctx.viewer ? ctx.app.accounts.describe(ctx.viewer) : null;
  }

  @Mutation(() => ViewerType, { description: 'Signs in to the console: sets an httpOnly session cookie.' })
  async signIn(@Arg('input') input: SignInInput, @Ctx() ctx: GqlContext): Promise<ViewerType> {
    const { token, viewer, expiresAt } = await ctx.app.accounts.signIn(input.email, input.password);
    ctx.session?.set(token, expiresAt);
    return ctx.app.accounts.describe(viewer);
  }

  @Mutation(() => Boolean)
  async signOut(@Ctx() ctx: GqlContext): Promise<boolean> {
    if (ctx.viewer) await ctx.app.accounts.signOut(ctx.viewer);
    ctx.session?.clear();
    return true;
  }

  @Query(() => [Member])
  async members(@Ctx() ctx: GqlContext): Promise<Member[]> {
    return ctx.app.accounts.listMembers(requireViewer(ctx.viewer).workspaceId);
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return ctx.app.accounts.addMember(requireAdmin(ctx.viewer), input);
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async setMemberRole(@Arg('input') input: SetMemberRoleInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return ctx.app.accounts.setMemberRole(requireAdmin(ctx.viewer), input.userId, input.role);
  }

  @Query(() => [ApiToken], { description: "The viewer's API tokens." })
  async apiTokens(@Ctx() ctx: GqlContext): Promise<ApiToken[]> {
    return ctx.app.accounts.listApiTokens(requireViewer(ctx.viewer));
  }

  @Mutation(() => CreatedApiToken)
  async createApiToken(
    @Arg('input') input: CreateApiTokenInput,
    @Ctx() ctx: GqlContext,
  ): Promise<CreatedApiToken> {
    return ctx.app.accounts.createApiToken(requireViewer(ctx.viewer), input.name);
  }

  @Mutation(() => ApiToken)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ApiToken> {
    return ctx.app.accounts.revokeApiToken(requireViewer(ctx.viewer), id);
  }
}
