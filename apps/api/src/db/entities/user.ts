import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

@Entity('user')
export class UserRow extends BaseRow {
  @Index({ unique: true })
  @Column('varchar', { length: 254 })
  email!: string;

  @Column('varchar', { length: 80 })
  displayName!: string;

  /** scrypt$N$r$p$salt$hash: never a GraphQL field. */
  @Column('varchar', { length: 255 })
  passwordHash!: string;
}
