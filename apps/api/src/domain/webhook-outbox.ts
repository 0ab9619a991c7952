import { type EntityManager, In } from 'typeorm';
import { WebhookRow } from '../db/entities/webhook';
import { WebhookDeliveryRow } from '../db/entities/webhook-delivery';
import { newId } from '../db/entities/base';
import type { AuthorizationEventPayload } from './authorization-events';
import { matchesFilter } from './event-log';
import { authorizationEventView } from './event-views';
import { RETRY_WINDOW_MS } from './webhook-signature';

// Rows per multi-row INSERT: 15 columns each stays under SQLite's 999 bound parameters.
const INSERT_CHUNK = 50;

export function webhookMatches(w: WebhookRow, e: AuthorizationEventPayload): boolean {
  if (w.connectionIds?.length && !w.connectionIds.includes(e.connectionId)) return false;
  return matchesFilter(e, {
    types: (w.types ?? null) as AuthorizationEventPayload['type'][] | null,
    extensionId: w.extensionId,
  });
}

/** The body every delivery of an event sends: the event as the API shows it, and its cursor. */
export function eventBody(e: AuthorizationEventPayload): string {
  return JSON.stringify({ event: authorizationEventView(e), cursor: e.cursor });
}

export function deliveryRow(
  w: Pick<WebhookRow, 'id' | 'workspaceId'>,
  fields: { id?: string; eventId: string | null; eventCursor: number | null; payload: string },
  now = new Date(),
): WebhookDeliveryRow {
  return {
    id: fields.id ?? newId(),
    webhookId: w.id,
    workspaceId: w.workspaceId,
    eventId: fields.eventId,
    eventCursor: fields.eventCursor,
    payload: fields.payload,
    status: 'PENDING',
    attempts: 0,
    nextAttemptAt: now,
    retryUntil: new Date(now.getTime() + RETRY_WINDOW_MS),
    lastStatus: null,
    lastError: null,
    durationMs: null,
    deliveredAt: null,
    createdAt: now,
    updatedAt: now,
  } as WebhookDeliveryRow;
}

/**
 * The seal hook (AuthorizationEvents.onSealed): in the events' own transaction, one outbox row per event and
 * matching ACTIVE endpoint, so a committed event is queued for every endpoint and a rolled-back one for none.
 * One query per event transaction when the workspace has no webhook.
 */
export async function enqueueWebhookDeliveries(
  m: EntityManager,
  events: readonly AuthorizationEventPayload[],
): Promise<void> {
  const workspaceIds = [...new Set(events.map((e) => e.workspaceId))];
  const hooks = await m.find(WebhookRow, { where: { workspaceId: In(workspaceIds), status: 'ACTIVE' } });
  if (!hooks.length) return;
  const rows: WebhookDeliveryRow[] = [];
  for (const e of events) {
    let body: string | undefined;
    for (const w of hooks)
      if (w.workspaceId === e.workspaceId && webhookMatches(w, e))
        rows.push(deliveryRow(w, { eventId: e.id, eventCursor: e.seq, payload: (body ??= eventBody(e)) }));
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await m
      .createQueryBuilder()
      .insert()
      .into(WebhookDeliveryRow)
      .values(rows.slice(i, i + INSERT_CHUNK))
      .updateEntity(false)
      .execute();
}
