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

  /** Whether the credentials hold a refresh token (readable without decrypting them). Null: not known yet. */
  @Column('boolean', { nullable: true })
  hasRefreshToken?: boolean | null;

  /** When the access token becomes due for a proactive refresh (auth-flows refreshDueAt); null: never. */
  @Index()
  @Column({ type: Date, nullable: true })
  refreshDueAt?: Date | null;

  /** Set while a refresh is in flight (status REFRESHING); a stale one means its holder died. */
  @Column({ type: Date, nullable: true })
  refreshStartedAt?: Date | null;

  /** Transient refresh failures in a row; reset by a refresh or an authorization that succeeds. */
  @Column('integer', { default: 0 })
  refreshFailures!: number;

  /** After a transient failure: no token request before this (backoff, shared by every replica). */
  @Column({ type: Date, nullable: true })
  nextRefreshAt?: Date | null;

  /** Last used by an invocation, to the minute: the background refresh keeps recently used ones fresh. */
  @Column({ type: Date, nullable: true })
  lastUsedAt?: Date | null;
}
