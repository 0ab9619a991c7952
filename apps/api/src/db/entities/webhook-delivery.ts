import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';
import { bigintNumber } from './bigint-number';

export type WebhookDeliveryStatus = 'PENDING' | 'IN_FLIGHT' | 'DELIVERED' | 'FAILED';

/**
 * The webhook outbox: one row per event and endpoint, written in the event's own transaction. IN_FLIGHT rows
 * carry a lease in nextAttemptAt: a replica that dies mid-send leaves them due again when the lease expires.
 * The payload is the exact JSON body sent (never a secret); the signature is computed at each attempt.
 */
@Entity('webhook_delivery')
@Index(['status', 'nextAttemptAt'])
@Index(['webhookId', 'createdAt'])
export class WebhookDeliveryRow extends BaseRow {
  @Column('varchar', { length: 36 })
  webhookId!: string;

  @Column('varchar', { length: 36 })
  workspaceId!: string;

  /** The authorization event; null for a test delivery. */
  @Column('varchar', { length: 36, nullable: true })
  eventId!: string | null;

  @Column('bigint', { nullable: true, transformer: bigintNumber })
  eventCursor!: number | null;

  @Column('text')
  payload!: string;

  @Column('varchar', { length: 16 })
  status!: WebhookDeliveryStatus;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column({ type: Date })
  nextAttemptAt!: Date;

  /** Retries stop after this (24 h after it was queued, or after a redeliver). */
  @Column({ type: Date })
  retryUntil!: Date;

  @Column('integer', { nullable: true })
  lastStatus!: number | null;

  @Column('varchar', { length: 500, nullable: true })
  lastError!: string | null;

  @Column('integer', { nullable: true })
  durationMs!: number | null;

  @Column({ type: Date, nullable: true })
  deliveredAt!: Date | null;
}
