import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisConnections {
  /** Commands and PUBLISH. */
  publisher: Redis;
  /** SUBSCRIBE only: a connection in subscriber mode cannot publish. */
  subscriber: Redis;
  /** Both connections are up: announcements from other replicas are arriving. */
  ready(): boolean;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The two Redis connections a replica keeps. They reconnect on their own (backoff capped at 2 s) and the
 * subscriber re-subscribes its channels. A command issued while Redis is away waits for two reconnection
 * attempts and then fails (callers log and go on): a short blip loses nothing, a long outage does not pile
 * up memory. Start-up waits for both connections, so a wrong REDIS_URL stops the process with its reason.
 */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  const options = {
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
    connectionName: 'connections',
    lazyConnect: true,
  };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  let lastWarning = 0;
  for (const [role, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    // ioredis emits `error` on every failed reconnection: without a listener Node would crash the process.
    client.on('error', (err: Error) => {
      if (Date.now() - lastWarning < 5_000) return;
      lastWarning = Date.now();
      logger.warn({ role, err: { message: err.message } }, 'Redis is unreachable; retrying');
    });
  }
  try {
    await withTimeout(Promise.all([publisher.connect(), subscriber.connect()]), CONNECT_TIMEOUT_MS);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`REDIS_URL: cannot connect to Redis (${(error as Error).message})`, { cause: error });
  }
  return {
    publisher,
    subscriber,
    ready: () => publisher.status === 'ready' && subscriber.status === 'ready',
    close: async () => {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
