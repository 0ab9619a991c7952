import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

/** Who did what to which object and when. Never a secret: callers pass only names and ids. */
@Entity('audit_event')
@Index(['workspaceId', 'createdAt'])
export class AuditEventRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 36, nullable: true })
  actorId?: string | null;

  @Column('varchar', { length: 64 })
  action!: string;

  @Column('varchar', { length: 32 })
  targetType!: string;

  @Column('varchar', { length: 64, nullable: true })
  targetId?: string | null;

  @Index()
  @Column('varchar', { length: 36, nullable: true })
  connectionId?: string | null;

  @Column('varchar', { length: 500 })
  message!: string;

  @Column('simple-json', { nullable: true })
  metadata?: Record<string, string | number | boolean | null> | null;
}
