import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

export interface ConnectionDefinition {
  name: string;
  linkName: string;
  service: string;
  scopes: string[];
  useLoginUserCredentials: boolean;
}

@Entity('extension')
@Index(['workspaceId', 'name'], { unique: true })
export class ExtensionRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 80 })
  name!: string;

  @Column('simple-json')
  connectionDefinitions!: ConnectionDefinition[];

  @Column('varchar', { length: 36 })
  createdById!: string;

  @Column('varchar', { length: 500, nullable: true })
  description?: string | null;

  /** The installing user owns the extension's owner-credential connections. */
  @Column('varchar', { length: 36, nullable: true })
  installedById?: string | null;

  @Column({ type: Date, nullable: true })
  installedAt?: Date | null;
}
