import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

export type WebhookStatus = 'ACTIVE' | 'DISABLED' | 'FAILING';

/**
 * A workspace's webhook endpoint. The signing secret is sealed (SecretBox, bound to this row); this row is
 * never a GraphQL type, so the secret cannot be exposed by adding a field.
 */
@Entity('webhook')
@Index(['workspaceId'])
export class WebhookRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 2048 })
  url!: string;

  /** Event types delivered; null: every type. */
  @Column('simple-json', { nullable: true })
  types!: string[] | null;

  /** Connections whose events are delivered; null: every connection. */
  @Column('simple-json', { nullable: true })
  connectionIds!: string[] | null;

  @Column('varchar', { length: 36, nullable: true })
  extensionId!: string | null;

  @Column('varchar', { length: 255 })
  secretEncrypted!: string;

  /** ACTIVE receives new deliveries; DISABLED by an admin; FAILING after repeated failed deliveries. */
  @Column('varchar', { length: 16 })
  status!: WebhookStatus;

  /** Deliveries in a row that ended failed; a delivered one resets it. */
  @Column('integer', { default: 0 })
  consecutiveFailures!: number;

  @Column('varchar', { length: 36, nullable: true })
  createdById!: string | null;
}
