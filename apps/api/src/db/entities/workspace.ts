import { Column, Entity } from 'typeorm';
import { BaseRow } from './base';

@Entity('workspace')
export class WorkspaceRow extends BaseRow {
  @Column('varchar', { length: 80 })
  name!: string;
}
