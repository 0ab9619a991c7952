import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AuthType, ParamType, ServiceKind } from './enums';
import { PageInfo } from './page';
import { OAuth2GrantType, TokenEndpointAuthMethod } from './service-oauth';

@ObjectType({
  simpleResolvers: true,
  description: 'Something a connection can be made to: a catalog entry or a custom definition.',
})
export class Service {
  @Field(() => ID, { description: 'A custom service\'s id, or "default:<slug>" for a catalog service.' })
  id!: string;

  @Field(() => ServiceKind)
  kind!: ServiceKind;

  @Field({ description: 'Unique in the workspace; catalog slugs are the provider keys of the catalog.' })
  slug!: string;

  @Field()
  name!: string;

  @Field(() => AuthType)
  authType!: AuthType;

  @Field(() => ParamType)
  paramType!: ParamType;

  @Field(() => String, { nullable: true })
  authorizeUrl!: string | null;

  @Field(() => String, { nullable: true })
  accessTokenUrl!: string | null;

  @Field(() => String, { nullable: true })
  requestTokenUrl!: string | null;

  @Field(() => String, { nullable: true })
  refreshUrl!: string | null;

  @Field(() => String, { nullable: true })
  revokeUrl!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'OAuth: where the upstream account is read (e.g. OIDC userinfo).',
  })
  profileUrl!: string | null;

  @Field(() => [String], { description: 'Documented scopes.' })
  scopes!: string[];

  @Field(() => [String])
  defaultScopes!: string[];

  @Field()
  scopeDelimiter!: string;

  @Field(() => [String], { description: 'The only hosts invocations through this service may reach.' })
  apiBaseUrls!: string[];

  @Field(() => String, { nullable: true })
  apiKeyParamName!: string | null;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'OAuth: extra authorize-request parameters, e.g. {"prompt": "consent"}.',
  })
  authorizeParams!: Record<string, string> | null;

  @Field(() => TokenEndpointAuthMethod, {
    nullable: true,
    description: 'OAUTH2: how the client authenticates at the token endpoint; null: client_secret_post.',
  })
  tokenEndpointAuthMethod!: TokenEndpointAuthMethod | null;

  @Field({ description: 'OAUTH2: whether the authorization request carries a PKCE challenge (RFC 7636).' })
  pkce!: boolean;

  @Field(() => OAuth2GrantType, {
    nullable: true,
    description:
      'OAUTH2: where its tokens come from (CLIENT_CREDENTIALS: no browser); null for other auth types.',
  })
  grantType!: OAuth2GrantType | null;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'CLIENT_CREDENTIALS: extra token-request parameters, e.g. {"audience": "..."}.',
  })
  tokenParams!: Record<string, string> | null;

  @Field(() => String, { nullable: true, description: 'The OAuth client id configured for this workspace.' })
  clientId!: string | null;

  @Field({ description: 'Whether a client secret is stored. The secret itself is never returned.' })
  hasClientSecret!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'OAuth only: the callback URL to register at the provider.',
  })
  redirectUri!: string | null;

  @Field({
    description:
      'Each connection names its own subdomain (the [subdomain] in the URLs): API-key and Basic services, whose ' +
      "credentials are the member's own. A catalog OAuth service's tenant host is the workspace's: see subdomain.",
  })
  needsSubdomain!: boolean;

  @Field({
    description:
      'Catalog OAuth services with a per-tenant host ([subdomain]): an admin gives the host with the OAuth client ' +
      '(setServiceCredentials.subdomain); members never choose it.',
  })
  needsWorkspaceSubdomain!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "Catalog OAuth services with a per-tenant host: the workspace's host (the [subdomain] value), set by an " +
      'admin with the OAuth client (setServiceCredentials). null when not set or not applicable.',
  })
  subdomain!: string | null;

  @Field(() => String, { nullable: true })
  docsUrl!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where this server serves the provider's logo (an SVG, cached for good); null when there is none.",
  })
  logoUrl!: string | null;

  @Field({
    description:
      "Catalog services: true when an admin replaced the catalog's API base URLs for this workspace " +
      '(setServiceApiBaseUrls); apiBaseUrls then lists the replacement.',
  })
  apiBaseUrlsOverridden!: boolean;

  @Field(() => [String], {
    nullable: true,
    description:
      "Catalog services: the catalog's own API base URLs (what a reset returns to). null for custom ones.",
  })
  catalogApiBaseUrls!: string[] | null;
}

@ObjectType({ simpleResolvers: true })
export class ServicePage {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [Service])
  nodes!: Service[];
}

@InputType()
export class ServiceFilter {
  @Field(() => ServiceKind, { nullable: true })
  kind?: ServiceKind;

  @Field(() => AuthType, { nullable: true })
  authType?: AuthType;

  @Field({ nullable: true, description: 'Matches name or slug, case-insensitively.' })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@InputType({ description: "The workspace's OAuth client for a catalog service." })
export class SetServiceCredentialsInput {
  @Field({ description: 'The catalog slug, e.g. "github".' })
  @Length(1, 80)
  slug!: string;

  @Field()
  clientId!: string;

  @Field({ description: 'Write-only.' })
  clientSecret!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Required for catalog services with a per-tenant host (needsSubdomain or subdomain): the [subdomain] value ' +
      'the client belongs to, e.g. "acme" for acme.zendesk.com. The client secret only ever goes to this host.',
  })
  @IsOptional()
  @MaxLength(253)
  subdomain?: string | null;
}

@InputType({
  description: "Replaces a catalog service's API base URLs for this workspace (regional or self-hosted).",
})
export class SetServiceApiBaseUrlsInput {
  @Field({ description: 'The catalog slug, e.g. "mailgun".' })
  @Length(1, 80)
  slug!: string;

  @Field(() => [String], {
    nullable: true,
    description:
      "The workspace's API base URLs, checked like a custom service's (https in production, no query; a path " +
      "confines calls under it). null or an empty list returns to the catalog's.",
  })
  @IsOptional()
  @ArrayMaxSize(20)
  apiBaseUrls?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Must be true when the change sends stored credentials to a new host while members hold authorizations of ' +
      'the service: they then move to NEEDS_REAUTH. Without it such a change is refused with CONFIRMATION_REQUIRED.',
  })
  confirmReauthorization?: boolean | null;
}
