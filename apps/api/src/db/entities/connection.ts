import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseRow } from './base';
import { ServiceRow } from './service';
import { UserRow } from './user';

@Entity('connection')
@Index(['workspaceId', 'linkName'], { unique: true })
// The list's default order, newest first (migration 1764940000000).
@Index('IDX_connection_workspace_created', ['workspaceId', 'createdAt', 'id'])
export class ConnectionRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 50 })
  name!: string;

  /** The immutable handle invocations use: [a-z0-9_]{1,50}, unique in the workspace. */
  @Column('varchar', { length: 50 })
  linkName!: string;

  @Index()
  @Column('varchar', { length: 36 })
  serviceId!: string;

  @ManyToOne(() => ServiceRow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'serviceId' })
  service?: ServiceRow;

  @Column('simple-json')
  scopes!: string[];

  @Column('boolean', { default: false })
  useLoginUserCredentials!: boolean;

  @Index()
  @Column('varchar', { length: 36 })
  ownerId!: string;

  @ManyToOne(() => UserRow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ownerId' })
  owner?: UserRow;

  @Column('varchar', { length: 36, nullable: true })
  extensionId?: string | null;

  /** Fills the [subdomain] placeholder of catalog services such as Zendesk or Shopify. */
  @Column('varchar', { length: 63, nullable: true })
  subdomain?: string | null;

  /**
   * Who besides the owner and admins may see and use the connection: null for every member of the workspace
   * (the default, as the seed describes), or the ids of the named members.
   */
  @Column('simple-json', { nullable: true })
  restrictedTo?: string[] | null;

  /**
   * When the connection was created for everyone to see: at once for createConnection and installs, on its
   * first successful authorization for createAndConnect. Null while it is "not finished" (seen only by its
   * creator, removed with its attempt when that expires).
   */
  @Column({ type: Date, nullable: true })
  establishedAt?: Date | null;
}
