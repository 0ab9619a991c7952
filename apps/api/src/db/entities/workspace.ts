import { Column, Entity } from 'typeorm';
import { BaseRow } from './base';
import { bigintNumber } from './bigint-number';

@Entity('workspace')
export class WorkspaceRow extends BaseRow {
  @Column('varchar', { length: 80 })
  name!: string;

  /** The last authorization event cursor handed out in this workspace (EventLog.append). */
  @Column('bigint', { default: 0, transformer: bigintNumber })
  eventCursor!: number;
}
