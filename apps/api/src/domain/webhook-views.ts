import type {
  AuthorizationEventType,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookStatus,
} from '@connections/schema';
import type { WebhookRow } from '../db/entities/webhook';
import type { WebhookDeliveryRow } from '../db/entities/webhook-delivery';
import { encodeCursor } from './event-cursor';

/** The one place a Webhook view is built: never the sealed secret. */
export function webhookView(r: WebhookRow): Webhook {
  return {
    id: r.id,
    url: r.url,
    types: (r.types as AuthorizationEventType[] | null) ?? null,
    connectionIds: r.connectionIds ?? null,
    extensionId: r.extensionId ?? null,
    status: r.status as WebhookStatus,
    enabled: r.status === 'ACTIVE',
    failing: r.status === 'FAILING',
    consecutiveFailures: r.consecutiveFailures,
    createdAt: r.createdAt,
  };
}

export function webhookDeliveryView(r: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventId: r.eventId ?? null,
    cursor: r.eventCursor == null ? null : encodeCursor(r.workspaceId, r.eventCursor),
    status: r.status as WebhookDeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'PENDING' ? r.nextAttemptAt : null,
    lastStatus: r.lastStatus ?? null,
    lastError: r.lastError ?? null,
    durationMs: r.durationMs ?? null,
    createdAt: r.createdAt,
    deliveredAt: r.deliveredAt ?? null,
  };
}
