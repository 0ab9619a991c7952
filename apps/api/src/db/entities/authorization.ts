import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

export type AuthorizationStatus =
  | 'PENDING'
  | 'CONNECTED'
  | 'REFRESHING'
  | 'REFRESH_FAILED'
  | 'NEEDS_REAUTH'
  | 'REVOKED'
  | 'DENIED'
  | 'FAILED';

/** One principal's credentials for one connection. */
@Entity('authorization')
@Index(['connectionId', 'principalId'], { unique: true })
export class AuthorizationRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 36 })
  connectionId!: string;

  @Index()
  @Column('varchar', { length: 36 })
  principalId!: string;

  @Column('varchar', { length: 16 })
  status!: AuthorizationStatus;

  @Column('simple-json')
  grantedScopes!: string[];

  @Column({ type: Date, nullable: true })
  expiresAt?: Date | null;

  @Column('varchar', { length: 255, nullable: true })
  accountId?: string | null;

  @Column('varchar', { length: 255, nullable: true })
  accountName?: string | null;

  @Column('varchar', { length: 1000, nullable: true })
  lastError?: string | null;

  /** Encrypted JSON of auth-flows' Credentials (bound to authorization.credentials of this row). */
  @Column('text', { nullable: true })
  credentialsEncrypted?: string | null;

  @Column({ type: Date, nullable: true })
  connectedAt?: Date | null;
}
