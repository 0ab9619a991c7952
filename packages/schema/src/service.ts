import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AuthType, ParamType, ServiceKind } from './enums';
import { PageInfo } from './page';

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

  @Field(() => String, { nullable: true, description: 'The OAuth client id configured for this workspace.' })
  clientId!: string | null;

  @Field({ description: 'Whether a client secret is stored. The secret itself is never returned.' })
  hasClientSecret!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'OAuth only: the callback URL to register at the provider.',
  })
  redirectUri!: string | null;

  @Field({ description: 'URLs contain a [subdomain] placeholder that each connection fills in.' })
  needsSubdomain!: boolean;

  @Field(() => String, { nullable: true })
  docsUrl!: string | null;
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

@InputType()
export class CreateCustomServiceInput {
  @Field()
  @Length(1, 80, { message: 'must be 1 to 80 characters' })
  name!: string;

  @Field(() => AuthType)
  authType!: AuthType;

  @Field(() => ParamType, { defaultValue: ParamType.HEADERS })
  paramType!: ParamType;

  @Field({ nullable: true })
  authorizeUrl?: string;

  @Field({ nullable: true })
  accessTokenUrl?: string;

  @Field({ nullable: true, description: 'OAUTH1 only.' })
  requestTokenUrl?: string;

  @Field({ nullable: true, description: 'OAUTH2: defaults to the access token URL.' })
  refreshUrl?: string;

  @Field({ nullable: true })
  revokeUrl?: string;

  @Field({ nullable: true, description: 'OAuth: where the upstream account is read (e.g. OIDC userinfo).' })
  profileUrl?: string;

  @Field({ nullable: true })
  clientId?: string;

  @Field({ nullable: true, description: 'Write-only.' })
  clientSecret?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  scopes?: string[];

  @Field({ nullable: true, description: 'Defaults to a space.' })
  scopeDelimiter?: string;

  @Field(() => [String])
  @ArrayMaxSize(20)
  apiBaseUrls!: string[];

  @Field({ nullable: true, description: 'API_KEY only: the header, query or form parameter name.' })
  apiKeyParamName?: string;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description:
      'OAuth only: extra, non-secret authorize-request parameters (name to string value), e.g. ' +
      '{"prompt": "consent", "access_type": "offline"}. Parameters the flow sets itself are refused.',
  })
  authorizeParams?: Record<string, string>;
}

@InputType({ description: 'Fields left out keep their value. clientSecret: null clears it.' })
export class UpdateServiceInput {
  @Field(() => ID)
  id!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 80, { message: 'must be 1 to 80 characters' })
  name?: string;

  @Field(() => ParamType, { nullable: true })
  paramType?: ParamType;

  @Field(() => String, { nullable: true })
  authorizeUrl?: string | null;

  @Field(() => String, { nullable: true })
  accessTokenUrl?: string | null;

  @Field(() => String, { nullable: true })
  requestTokenUrl?: string | null;

  @Field(() => String, { nullable: true })
  refreshUrl?: string | null;

  @Field(() => String, { nullable: true })
  revokeUrl?: string | null;

  @Field(() => String, { nullable: true })
  profileUrl?: string | null;

  @Field(() => String, { nullable: true })
  clientId?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only.' })
  clientSecret?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  scopes?: string[];

  @Field({ nullable: true })
  scopeDelimiter?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  apiBaseUrls?: string[];

  @Field(() => String, { nullable: true })
  apiKeyParamName?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'null clears them.' })
  authorizeParams?: Record<string, string> | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Must be true when the change sends stored credentials to a new host (a new origin among the API base ' +
      'URLs, the refresh URL (the access token URL when there is none) or the revoke URL) while users hold ' +
      'authorizations of the service: they then move to NEEDS_REAUTH and each user reconnects. Without it ' +
      'such a change is refused with CONFIRMATION_REQUIRED, naming the fields and how many authorizations.',
  })
  confirmReauthorization?: boolean | null;
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
}
