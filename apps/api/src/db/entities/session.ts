import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

/** A console sign-in. Only the SHA-256 of the cookie value is stored. */
@Entity('session')
export class SessionRow extends BaseRow {
  @Index({ unique: true })
  @Column('varchar', { length: 64 })
  tokenHash!: string;

  @Column('varchar', { length: 36 })
  userId!: string;

  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column()
  expiresAt!: Date;
}
