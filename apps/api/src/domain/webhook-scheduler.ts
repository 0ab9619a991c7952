import type { Logger } from 'pino';
import type { WebhookSender } from './webhook-sender';
import { schedulePeriodic } from './periodic';

export interface WebhookJob {
  /** Stops polling and waits for the batch being sent (the dispatcher and the database close next). */
  stop(): Promise<void>;
}

const EVERY = 1000;

/**
 * Polls the outbox every second on every replica (an indexed query that finds nothing most of the time) and
 * drains it without waiting while batches come back full. The timer does not keep the process alive.
 */
export function scheduleWebhookDelivery(sender: WebhookSender, logger: Logger, everyMs = EVERY): WebhookJob {
  return schedulePeriodic({
    everyMs,
    run: async (stopped) => {
      try {
        for (let full = true; full && !stopped();) full = (await sender.runOnce()) > 0;
      } catch (err) {
        logger.warn({ err }, 'could not send webhook deliveries; next run retries');
      }
    },
  });
}
