import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

/**
 * One run of a connect flow. Its id is in the authorize URL; it can be opened once, by the user who asked
 * (or with its one-time code, for API-token clients), within its lifetime, and completes once.
 */
@Entity('authorization_attempt')
export class AuthorizationAttemptRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Index()
  @Column('varchar', { length: 36 })
  connectionId!: string;

  @Column('varchar', { length: 36 })
  authorizationId!: string;

  /** Whose authorization it fills. */
  @Column('varchar', { length: 36 })
  principalId!: string;

  /** Who started it: only they can open the authorize URL. */
  @Column('varchar', { length: 36 })
  userId!: string;

  /** SHA-256 of the one-time code for clients without a console session. */
  @Column('varchar', { length: 64, nullable: true })
  codeHash?: string | null;

  @Column()
  expiresAt!: Date;

  @Column({ type: Date, nullable: true })
  openedAt?: Date | null;

  @Column({ type: Date, nullable: true })
  completedAt?: Date | null;

  @Column('varchar', { length: 16, nullable: true })
  outcome?: string | null;

  /**
   * The OAuth dance's state while the browser is at the provider (grant's state, PKCE verifier, OAuth 1.0a
   * request token secret), encrypted: whichever replica the callback lands on reads it here. Cleared when
   * the attempt completes.
   */
  @Column('text', { nullable: true })
  flowState?: string | null;
}
