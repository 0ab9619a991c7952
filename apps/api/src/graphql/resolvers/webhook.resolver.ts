import {
  CreateWebhookInput,
  UpdateWebhookInput,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookWithSecret,
} from '@connections/schema';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireViewer } from '../../domain/viewer';
import type { GqlContext } from '../context';

// Admins only, every operation (the service checks): an endpoint receives every event of the workspace.
@Resolver()
export class WebhookResolver {
  @Query(() => [Webhook], { description: "Admins only. The workspace's webhook endpoints." })
  async webhooks(@Ctx() ctx: GqlContext): Promise<Webhook[]> {
    return ctx.app.webhooks.list(requireViewer(ctx.viewer));
  }

  @Query(() => WebhookDeliveryPage, {
    description: "Admins only. An endpoint's delivery log, newest first. Never shows the signing secret.",
  })
  async webhookDeliveries(
    @Ctx() ctx: GqlContext,
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<WebhookDeliveryPage> {
    return ctx.app.webhooks.deliveries(requireViewer(ctx.viewer), webhookId, first, after);
  }

  @Mutation(() => WebhookWithSecret, {
    description:
      'Admins only. Registers an endpoint for authorization events (signed POSTs, see the README). ' +
      'The signing secret is in the answer, once.',
  })
  async createWebhook(
    @Arg('input') input: CreateWebhookInput,
    @Ctx() ctx: GqlContext,
  ): Promise<WebhookWithSecret> {
    return ctx.app.webhooks.create(requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Webhook, { description: 'Admins only. `enabled: true` re-enables a FAILING endpoint.' })
  async updateWebhook(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateWebhookInput,
    @Ctx() ctx: GqlContext,
  ): Promise<Webhook> {
    return ctx.app.webhooks.update(requireViewer(ctx.viewer), id, input);
  }

  @Mutation(() => ID, { description: 'Admins only. Deletes the endpoint and its delivery log.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<string> {
    return ctx.app.webhooks.remove(requireViewer(ctx.viewer), id);
  }

  @Mutation(() => WebhookWithSecret, { description: 'Admins only. A new signing secret, shown once.' })
  async rotateWebhookSecret(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GqlContext,
  ): Promise<WebhookWithSecret> {
    return ctx.app.webhooks.rotateSecret(requireViewer(ctx.viewer), id);
  }

  @Mutation(() => WebhookDelivery, { description: 'Admins only. Queues a delivery of a TEST event.' })
  async sendTestWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<WebhookDelivery> {
    return ctx.app.webhooks.sendTest(requireViewer(ctx.viewer), id);
  }

  @Mutation(() => WebhookDelivery, {
    description: 'Admins only. Sends a delivery again, with the same id (idempotency key).',
  })
  async redeliverWebhookDelivery(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GqlContext,
  ): Promise<WebhookDelivery> {
    return ctx.app.webhooks.redeliver(requireViewer(ctx.viewer), id);
  }
}
