import type { Logger } from 'pino';
import type { WebhookSender } from './webhook-sender';

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
  let running: Promise<void> | undefined;
  let stopped = false;
  const drain = async () => {
    for (let full = true; full && !stopped;) full = (await sender.runOnce()) > 0;
  };
  const run = () => {
    if (running || stopped) return;
    running = drain()
      .catch((err: unknown) => logger.warn({ err }, 'could not send webhook deliveries; next run retries'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
