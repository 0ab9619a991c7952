import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

/** Who did what to which object and when. Never a secret: callers pass only names and ids. */
@Entity('audit_event')
@Index(['workspaceId', 'createdAt'])
@Index('IDX_audit_event_connection_created', ['connectionId', 'createdAt'])
// A connection's calls (action connection.invoked), newest first: health at a glance.
@Index('IDX_audit_event_connection_action_created', ['connectionId', 'action', 'createdAt'])
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

  // Indexed as the leading column of the two composite indexes above.
  @Column('varchar', { length: 36, nullable: true })
  connectionId?: string | null;

  @Column('varchar', { length: 500 })
  message!: string;

  /** SUCCESS, FAILURE or null (neither): see domain/audit-outcome.ts. */
  @Column('varchar', { length: 16, nullable: true })
  outcome?: 'SUCCESS' | 'FAILURE' | null;

  @Column('simple-json', { nullable: true })
  metadata?: Record<string, string | number | boolean | null> | null;
}
