import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './bigint-number';

/**
 * The event log: one row per authorization event, in its workspace's cursor order, for replay
 * (authorizationEvents `after`, authorizationEventsPage) and, later, webhook delivery. Kept apart from the audit
 * log (which records the same event under the same id) because it is read as a stream, carries what the
 * subscription payload carries (owner, principal's name), and is trimmed by retention while the audit log is
 * not. Never a secret.
 */
@Entity('authorization_event')
@Index(['workspaceId', 'cursor'], { unique: true })
@Index(['at'])
export class AuthorizationEventRow {
  /** The id of the audit event that records the same thing. */
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 36 })
  workspaceId!: string;

  /** Gapless per workspace, in commit order (see EventLog.append). */
  @Column('bigint', { transformer: bigintNumber })
  cursor!: number;

  @Column('varchar', { length: 32 })
  type!: string;

  @Column('varchar', { length: 36 })
  connectionId!: string;

  @Column('varchar', { length: 36, nullable: true })
  extensionId!: string | null;

  @Column('varchar', { length: 50 })
  linkName!: string;

  @Column('varchar', { length: 36 })
  ownerId!: string;

  @Column('varchar', { length: 36 })
  principalId!: string;

  @Column('varchar', { length: 254 })
  principalEmail!: string;

  @Column('varchar', { length: 80 })
  principalName!: string;

  @Column('varchar', { length: 36, nullable: true })
  actorId!: string | null;

  @Column('varchar', { length: 32 })
  status!: string;

  @Column('varchar', { length: 36, nullable: true })
  attemptId!: string | null;

  @Column('varchar', { length: 500 })
  message!: string;

  @Column({ type: Date })
  at!: Date;
}
