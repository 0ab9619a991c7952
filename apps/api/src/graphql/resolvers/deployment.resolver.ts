import { Deployment } from '@connections/schema';
import { Ctx, Query, Resolver } from 'type-graphql';
import type { GqlContext } from '../context';

@Resolver()
export class DeploymentResolver {
  // Open to callers who are not signed in: the console warns about a wrong address on the sign-in page too,
  // and the public URL is no secret (every authorize URL and redirect URI carries it).
  @Query(() => Deployment, { description: 'How this server is reached: its public URL, and the sandbox.' })
  deployment(@Ctx() ctx: GqlContext): Deployment {
    return { publicUrl: ctx.app.publicUrl(), sandbox: ctx.app.config.sandbox };
  }
}
