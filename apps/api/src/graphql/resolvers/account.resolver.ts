import {
  AddMemberInput,
  ApiToken,
  CreateApiTokenInput,
  CreatedApiToken,
  Member,
  Role,
  SetMemberRoleInput,
  SignInInput,
  Viewer as ViewerType,
} from '@connections/schema';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiTokenRow, MembershipRow } from '../../db/entities';
import { userView } from '../../domain/connections';
import { requireAdmin, requireViewer, type Viewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

const tokenView = (t: ApiTokenRow): ApiToken => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt ?? null,
  revokedAt: t.revokedAt ?? null,
});

const memberView = (m: MembershipRow): Member => ({
  user: userView(m.user!),
  role: m.role as Role,
  joinedAt: m.createdAt,
});

async function viewerView(ctx: GqlContext, v: Viewer): Promise<ViewerType> {
  // The user came with the credentials; only the workspace is read.
  const workspace = await ctx.app.accounts.getWorkspace(v.workspaceId);
  return {
    user: v.user,
    workspace: { id: workspace.id, name: workspace.name },
    role: v.role as Role,
    authMethod: v.authMethod,
  };
}

@Resolver()
export class AccountResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The caller, or null when not signed in.' })
  async viewer(@Ctx() ctx: GqlContext): Promise<ViewerType | null> {
    return ctx.viewer ? viewerView(ctx, ctx.viewer) : null;
  }

  @Mutation(() => ViewerType, { description: 'Signs in to the console: sets an httpOnly session cookie.' })
  async signIn(@Arg('input') input: SignInInput, @Ctx() ctx: GqlContext): Promise<ViewerType> {
    const { token, viewer, expiresAt } = await ctx.app.accounts.signIn(input.email, input.password);
    ctx.session?.set(token, expiresAt);
    return viewerView(ctx, viewer);
  }

  @Mutation(() => Boolean)
  async signOut(@Ctx() ctx: GqlContext): Promise<boolean> {
    if (ctx.viewer) await ctx.app.accounts.signOut(ctx.viewer);
    ctx.session?.clear();
    return true;
  }

  @Query(() => [Member])
  async members(@Ctx() ctx: GqlContext): Promise<Member[]> {
    const v = requireViewer(ctx.viewer);
    return (await ctx.app.accounts.listMembers(v.workspaceId)).map(memberView);
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return memberView(await ctx.app.accounts.addMember(requireAdmin(ctx.viewer), input));
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async setMemberRole(@Arg('input') input: SetMemberRoleInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return memberView(
      await ctx.app.accounts.setMemberRole(requireAdmin(ctx.viewer), input.userId, input.role),
    );
  }

  @Query(() => [ApiToken], { description: "The viewer's API tokens." })
  async apiTokens(@Ctx() ctx: GqlContext): Promise<ApiToken[]> {
    return (await ctx.app.accounts.listApiTokens(requireViewer(ctx.viewer))).map(tokenView);
  }

  @Mutation(() => CreatedApiToken)
  async createApiToken(
    @Arg('input') input: CreateApiTokenInput,
    @Ctx() ctx: GqlContext,
  ): Promise<CreatedApiToken> {
    const { row, token } = await ctx.app.accounts.createApiToken(requireViewer(ctx.viewer), input.name);
    return { apiToken: tokenView(row), token };
  }

  @Mutation(() => ApiToken)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ApiToken> {
    return tokenView(await ctx.app.accounts.revokeApiToken(requireViewer(ctx.viewer), id));
  }
}
