import {
  AddMemberInput,
  ApiToken,
  ChangePasswordInput,
  CreateApiTokenInput,
  CreatedApiToken,
  Member,
  RemovedMember,
  RemoveMemberInput,
  SetMemberRoleInput,
  SignedOutEverywhere,
  SignInInput,
  Viewer as ViewerType,
} from '@connections/schema';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin, requireViewer } from '../../domain/viewer';
import { AppError } from '../../errors';
import type { GqlContext } from '../context';

/**
 * Over plain HTTP a throttled attempt answers 429 with Retry-After (RFC 9110 section 10.2.3), not 200:
 * graphql-js copies an original error's `extensions`, and Apollo takes the status and headers from their
 * `http` entry (and leaves it out of the body). The body still carries RATE_LIMITED and retryAfterSeconds.
 */
async function throttled<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'RATE_LIMITED') {
      const retryAfter = String(error.details.retryAfterSeconds ?? 1);
      Object.defineProperty(error, 'extensions', {
        value: { http: { status: 429, headers: new Map([['retry-after', retryAfter]]) } },
      });
    }
    throw error;
  }
}

@Resolver()
export class AccountResolver {
  @Query(() => ViewerType, { nullable: true, description: 'The caller, or null when not signed in.' })
  async viewer(@Ctx() ctx: GqlContext): Promise<ViewerType | null> {
    return ctx.viewer ? ctx.app.accounts.describe(ctx.viewer) : null;
  }

  @Mutation(() => ViewerType, {
    description:
      'Signs in to the console: sets an httpOnly session cookie. Wrong passwords are throttled per account ' +
      'and per client address: RATE_LIMITED (HTTP 429, Retry-After) with extensions.retryAfterSeconds.',
  })
  async signIn(@Arg('input') input: SignInInput, @Ctx() ctx: GqlContext): Promise<ViewerType> {
    const { token, viewer, expiresAt } = await throttled(() =>
      ctx.app.sessions.signIn(input.email, input.password, ctx.clientAddress),
    );
    ctx.session?.set(token, expiresAt);
    return ctx.app.accounts.describe(viewer);
  }

  @Mutation(() => Boolean)
  async signOut(@Ctx() ctx: GqlContext): Promise<boolean> {
    if (ctx.viewer) await ctx.app.sessions.signOut(ctx.viewer);
    ctx.session?.clear();
    return true;
  }

  @Mutation(() => SignedOutEverywhere, {
    description:
      "Ends every console session of the caller's user, in every workspace, this one included; with " +
      'includeApiTokens, revokes their API tokens as well.',
  })
  async signOutEverywhere(
    @Arg('includeApiTokens', { defaultValue: false }) includeApiTokens: boolean,
    @Ctx() ctx: GqlContext,
  ): Promise<SignedOutEverywhere> {
    const result = await ctx.app.sessions.signOutEverywhere(requireViewer(ctx.viewer), includeApiTokens);
    ctx.session?.clear();
    return result;
  }

  @Mutation(() => Boolean, {
    description:
      "Changes the signed-in user's password (a console session only). Their other sessions end; API tokens " +
      'stay. A wrong currentPassword counts as a failed sign-in (RATE_LIMITED after too many).',
  })
  async changePassword(@Arg('input') input: ChangePasswordInput, @Ctx() ctx: GqlContext): Promise<boolean> {
    const viewer = requireViewer(ctx.viewer);
    await throttled(() =>
      ctx.app.sessions.changePassword(viewer, input.currentPassword, input.newPassword, ctx.clientAddress),
    );
    return true;
  }

  @Query(() => [Member])
  async members(@Ctx() ctx: GqlContext): Promise<Member[]> {
    return ctx.app.members.list(requireViewer(ctx.viewer).workspaceId);
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return ctx.app.members.add(requireAdmin(ctx.viewer), input);
  }

  @Mutation(() => Member, { description: 'Admins only.' })
  async setMemberRole(@Arg('input') input: SetMemberRoleInput, @Ctx() ctx: GqlContext): Promise<Member> {
    return ctx.app.members.setRole(requireAdmin(ctx.viewer), input.userId, input.role);
  }

  @Mutation(() => RemovedMember, {
    description:
      'Admins only, and never oneself. Their sessions and API tokens here end at once; connections they own ' +
      'pass to you (owner-credential ones must be reconnected); their authorizations here are revoked.',
  })
  async removeMember(@Arg('input') input: RemoveMemberInput, @Ctx() ctx: GqlContext): Promise<RemovedMember> {
    return ctx.app.members.remove(requireAdmin(ctx.viewer), input.userId);
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
