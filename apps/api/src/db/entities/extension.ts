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
@Index(['workspaceId', 'key'], { unique: true })
export class ExtensionRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 80 })
  name!: string;

  /**
   * What identifies the extension across workspaces and deployments (a manifest's `key`): installing a
   * manifest whose key is already here upgrades that extension instead of adding a second one.
   */
  @Column('varchar', { length: 80 })
  key!: string;

  /** Semantic version (semver.org 2.0.0) of the definition; an upgrade needs a higher one. */
  @Column('varchar', { length: 64 })
  version!: string;

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
