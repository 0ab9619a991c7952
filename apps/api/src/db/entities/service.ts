import { Column, Entity, Index } from 'typeorm';
import { BaseRow } from './base';

export type ServiceKind = 'DEFAULT' | 'CUSTOM';
export type AuthType = 'OAUTH2' | 'OAUTH1' | 'BASIC' | 'API_KEY';
export type ParamType = 'HEADERS' | 'QUERY_STRING' | 'FORM_DATA';

/**
 * A CUSTOM service, or the workspace's settings for a DEFAULT (catalog) service: a DEFAULT row exists only
 * once an admin sets its client credentials or API base URLs or a connection uses it, and then only `slug`,
 * the client credentials, `subdomain` and the `apiBaseUrls` override matter; the rest comes from the catalog.
 */
@Entity('service')
@Index(['workspaceId', 'slug'], { unique: true })
export class ServiceRow extends BaseRow {
  @Column('varchar', { length: 36 })
  workspaceId!: string;

  @Column('varchar', { length: 16 })
  kind!: ServiceKind;

  @Column('varchar', { length: 80 })
  slug!: string;

  @Column('varchar', { length: 80, nullable: true })
  name?: string | null;

  @Column('varchar', { length: 16, nullable: true })
  authType?: AuthType | null;

  @Column('varchar', { length: 16, nullable: true })
  paramType?: ParamType | null;

  @Column('varchar', { length: 2048, nullable: true })
  authorizeUrl?: string | null;

  @Column('varchar', { length: 2048, nullable: true })
  accessTokenUrl?: string | null;

  @Column('varchar', { length: 2048, nullable: true })
  requestTokenUrl?: string | null;

  @Column('varchar', { length: 2048, nullable: true })
  refreshUrl?: string | null;

  @Column('varchar', { length: 2048, nullable: true })
  revokeUrl?: string | null;

  /** Where the upstream account (id, name, email) is read after an OAuth authorization. */
  @Column('varchar', { length: 2048, nullable: true })
  profileUrl?: string | null;

  @Column('simple-json', { nullable: true })
  scopes?: string[] | null;

  @Column('varchar', { length: 8, nullable: true })
  scopeDelimiter?: string | null;

  /**
   * CUSTOM: the service's API base URLs. DEFAULT: the workspace's override of the catalog's (a regional or
   * self-hosted variant), null for the catalog's own.
   */
  @Column('simple-json', { nullable: true })
  apiBaseUrls?: string[] | null;

  /** DEFAULT with a [subdomain] host: the workspace's tenant host, set by an admin with its OAuth client. */
  @Column('varchar', { length: 253, nullable: true })
  subdomain?: string | null;

  @Column('varchar', { length: 128, nullable: true })
  apiKeyParamName?: string | null;

  /** OAuth only: extra, non-secret authorize-request parameters (e.g. prompt=consent). */
  @Column('simple-json', { nullable: true })
  authorizeParams?: Record<string, string> | null;

  /** CUSTOM OAUTH2: client_credentials (no browser); null: authorization_code. Set at creation only. */
  @Column('varchar', { length: 32, nullable: true })
  grantType?: 'client_credentials' | null;

  /** CUSTOM OAUTH2 client_credentials: extra, non-secret token-request parameters (audience, resource). */
  @Column('simple-json', { nullable: true })
  tokenParams?: Record<string, string> | null;

  /** CUSTOM OAUTH2: client_secret_basic or client_secret_post; null: the flows' default (post). */
  @Column('varchar', { length: 32, nullable: true })
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | null;

  /** CUSTOM OAUTH2: false turns PKCE off (a server that rejects it); null or true: on. */
  @Column('boolean', { nullable: true })
  pkce?: boolean | null;

  @Column('varchar', { length: 512, nullable: true })
  clientId?: string | null;

  /** Encrypted (SecretBox, bound to service.clientSecret of this row). Never a GraphQL field. */
  @Column('text', { nullable: true })
  clientSecretEncrypted?: string | null;

  @Column('varchar', { length: 36, nullable: true })
  createdById?: string | null;
}
