import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseRow } from './base';
import { UserRow } from './user';

export type Role = 'ADMIN' | 'MEMBER';

@Entity('membership')
@Index(['workspaceId', 'userId'], { unique: true })
export class MembershipRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Index()
  @Column('varchar', { length: 36 })
  userId!: string;

  @ManyToOne(() => UserRow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: UserRow;

  @Column('varchar', { length: 16 })
  role!: Role;
}
