import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

/** An API token for integrators; shown once, stored as its SHA-256. */
@Entity('api_token')
export class ApiTokenRow extends BaseRow {
  @Index()
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 36 })
  userId!: string;

  @Column('varchar', { length: 80 })
  name!: string;

  /** The first characters, to recognise a token in a list. */
  @Column('varchar', { length: 16 })
  prefix!: string;

  @Index({ unique: true })
  @Column('varchar', { length: 64 })
  tokenHash!: string;

  @Column({ type: Date, nullable: true })
  lastUsedAt?: Date | null;

  @Column({ type: Date, nullable: true })
  revokedAt?: Date | null;
}
