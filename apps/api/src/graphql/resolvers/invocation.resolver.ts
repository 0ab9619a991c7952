import { InvokeUrlInput, InvokeUrlResult } from '@connections/schema';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { rateLimitOf } from '../../domain/invocation-rate-limit';
import { decodeBody, readLimited } from '../../domain/read-body';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

@Resolver()
export class InvocationResolver {
  @Mutation(() => InvokeUrlResult, {
    description:
      'Calls the third-party API through a connection with its stored credentials (applied, refreshed and ' +
      'guarded here). Errors: NEEDS_AUTHORIZATION (with extensions.connectUrl), HOST_NOT_ALLOWED, ' +
      'UPSTREAM_TIMEOUT, RESPONSE_TOO_LARGE, PAYLOAD_TOO_LARGE (extensions.limitBytes), REFRESH_FAILED, ' +
      'UPSTREAM_UNAVAILABLE.',
  })
  async invokeUrl(@Arg('input') input: InvokeUrlInput, @Ctx() ctx: GqlContext): Promise<InvokeUrlResult> {
    const viewer = requireViewer(ctx.viewer);
    const reply = await ctx.app.invocations.send(viewer, { ...input, linkName: input.connection });
    try {
      const bytes = await readLimited(
        reply.body,
        ctx.app.config.invocation.maxResponseBytes,
        reply.headers['content-length'],
      );
      const { body, bodyBase64 } = decodeBody(bytes, reply.headers['content-type']);
      reply.done();
      return {
        status: reply.status,
        headers: reply.headers,
        body,
        bodyBase64,
        durationMs: Math.round(performance.now() - reply.startedAt),
        url: reply.url,
        attempts: reply.attempts,
        rateLimit: rateLimitOf(reply.headers),
      };
    } catch (error) {
      // Too large, or the upstream timed out or broke off while the body was read: each by its own code.
      throw reply.fail(error);
    }
  }
}
