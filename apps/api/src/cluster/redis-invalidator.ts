import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { InvalidationKind, Invalidator } from '../domain/invalidation';
import type { RedisConnections } from './redis';

interface Message {
  kind: InvalidationKind;
  id: string;
  /** The replica that announced it: it has already told its own listeners. */
  from: string;
}

/**
 * Invalidation over one Redis channel. Local listeners hear an announcement at once (as in one process);
 * the other replicas hear it through Redis, typically within milliseconds. When the subscriber connection
 * comes back after an outage, announcements made meanwhile are lost, so listeners hear `all`.
 */
export class RedisInvalidator implements Invalidator {
  private readonly handlers = new Set<(kind: InvalidationKind, id: string) => void>();
  private readonly replicaId = randomUUID();
  private readonly channel: string;

  private constructor(
    private readonly redis: RedisConnections,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:invalidate`;
  }

  static async start(redis: RedisConnections, prefix: string, logger: Logger): Promise<RedisInvalidator> {
    const invalidator = new RedisInvalidator(redis, prefix, logger);
    await invalidator.listen();
    return invalidator;
  }

  private async listen(): Promise<void> {
    const { subscriber } = this.redis;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      let message: Message;
      try {
        message = JSON.parse(raw) as Message;
      } catch {
        return;
      }
      if (message.from !== this.replicaId) this.notify(message.kind, message.id);
    });
    let wasDown = false;
    subscriber.on('close', () => (wasDown = true));
    subscriber.on('ready', () => {
      if (!wasDown) return;
      wasDown = false;
      this.notify('all', '');
    });
    await subscriber.subscribe(this.channel);
  }

  invalidate(kind: InvalidationKind, id: string): void {
    this.notify(kind, id);
    const message: Message = { kind, id, from: this.replicaId };
    this.redis.publisher.publish(this.channel, JSON.stringify(message)).catch((err: Error) => {
      // The other replicas' caches expire on their short outage TTL; nothing else can be done from here.
      this.logger.warn({ kind, err: { message: err.message } }, 'could not announce an invalidation');
    });
  }

  onInvalidate(handler: (kind: InvalidationKind, id: string) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  live(): boolean {
    return this.redis.ready();
  }

  private notify(kind: InvalidationKind, id: string): void {
    for (const handler of this.handlers) {
      try {
        handler(kind, id);
      } catch (error) {
        this.logger.error({ err: error, kind }, 'an invalidation listener failed');
      }
    }
  }
}
