import type {
  AuthorizationEventType,
  CreateWebhookInput,
  WebhookDeliveryStatus,
  WebhookStatus,
} from '../generated/graphql';
import type { StatusTone } from './connectionStatus';
import { describeError, fieldErrorsOf, type CombinedErrorLike, type DescribedError } from './errors';

/** What the Webhooks page shows and sends: endpoint drafts, statuses in words, delivery summaries. */
export const EVENT_TYPES: readonly AuthorizationEventType[] = [
  'AUTHORIZED',
  'REAUTHORIZED',
  'REFRESHED',
  'REFRESH_FAILED',
  'NEEDS_REAUTH',
  'ACCOUNT_CHANGED',
  'DENIED',
  'FAILED',
  'REVOKED',
  'DELETED',
];

export const WEBHOOK_STATUS: Record<WebhookStatus, { label: string; tone: StatusTone }> = {
  ACTIVE: { label: 'Active', tone: 'success' },
  DISABLED: { label: 'Disabled', tone: 'neutral' },
  FAILING: { label: 'Failing', tone: 'danger' },
};

export const DELIVERY_STATUS: Record<WebhookDeliveryStatus, { label: string; tone: StatusTone }> = {
  PENDING: { label: 'Pending', tone: 'progress' },
  IN_FLIGHT: { label: 'Sending', tone: 'progress' },
  DELIVERED: { label: 'Delivered', tone: 'success' },
  FAILED: { label: 'Failed', tone: 'danger' },
};

export interface WebhookDraft {
  url: string;
  /** Empty: every type. */
  types: AuthorizationEventType[];
}

/** Why the URL cannot be sent as typed, or null. The API checks the rest (https, address policy). */
export function webhookUrlProblem(url: string): string | null {
  const u = url.trim();
  if (!u) return 'Enter the URL that receives the events.';
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return 'Enter a full URL, such as https://example.com/hooks/connections.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'Use an http(s) URL.';
  return null;
}

export function toCreateWebhookInput(draft: WebhookDraft): CreateWebhookInput {
  return {
    url: draft.url.trim(),
    types: draft.types.length ? EVENT_TYPES.filter((t) => draft.types.includes(t)) : undefined,
  };
}

export function typesLabel(types: readonly string[] | null | undefined): string {
  return types?.length ? types.join(', ') : 'All events';
}

/** "HTTP 200 · 35 ms" for the last attempt of a delivery; what is unknown is left out. */
export function attemptSummary(d: { lastStatus: number | null; durationMs: number | null }): string {
  const parts = [
    d.lastStatus !== null ? `HTTP ${d.lastStatus}` : null,
    d.durationMs !== null ? `${d.durationMs} ms` : null,
  ];
  return parts.filter(Boolean).join(' · ') || '—';
}

/** A delivery can be sent again once it has ended; one being sent (or waiting for its turn) cannot. */
export function canRedeliver(d: { status: WebhookDeliveryStatus }): boolean {
  return d.status === 'DELIVERED' || d.status === 'FAILED';
}

/**
 * A webhook mutation's error: the URL's field error when the API named `url` (a refused address, a bad
 * scheme), otherwise the error described for a notice. HOST_NOT_ALLOWED here is about the endpoint, not a
 * service's API base URLs, so it gets its own words with the API's reason.
 */
export function webhookErrors(error: CombinedErrorLike | null | undefined): {
  url: string | null;
  notice: DescribedError | null;
} {
  if (!error) return { url: null, notice: null };
  const first = error.graphQLErrors[0];
  if (first?.extensions?.code === 'HOST_NOT_ALLOWED') {
    const reason = first.message.replace(/^(input\.)?url: /, '');
    return { url: `This server does not send webhooks to that address (${reason}).`, notice: null };
  }
  const fields = fieldErrorsOf(error);
  const url = fields.url ?? fields['input.url'] ?? null;
  return { url, notice: url ? null : describeError(error) };
}

/** Whether the log still waits on the sender: the console then reads it again shortly. */
export function hasPending(deliveries: readonly { status: WebhookDeliveryStatus }[]): boolean {
  return deliveries.some((d) => d.status === 'PENDING' || d.status === 'IN_FLIGHT');
}
