import { ArrayMaxSize, IsOptional, Length } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { AuthType, ParamType } from './enums';
import { OAuth2GrantType, TokenEndpointAuthMethod } from './service-oauth';

// The inputs that define and edit a custom service (service.ts holds the type and the catalog settings).

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

  @Field(() => TokenEndpointAuthMethod, {
    nullable: true,
    description:
      'OAUTH2 only: how the client authenticates at the token endpoint (code exchange, refresh, revoke).',
  })
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'OAUTH2 only: send a PKCE challenge (RFC 7636). On by default; turn it off only for a server that rejects ' +
      'the parameters.',
  })
  pkce?: boolean;

  @Field(() => OAuth2GrantType, {
    nullable: true,
    description:
      'OAUTH2 only: AUTHORIZATION_CODE (the default) or CLIENT_CREDENTIALS (no browser: needs the access token ' +
      'URL, the client and optional scopes; no authorize, refresh or profile URL, no PKCE). Cannot be changed later.',
  })
  grantType?: OAuth2GrantType;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description:
      'CLIENT_CREDENTIALS only: extra, non-secret token-request parameters (name to string value), e.g. ' +
      '{"audience": "https://api.example.com/"} (Auth0) or {"resource": "..."} (RFC 8707). Parameters the grant ' +
      'sets itself are refused.',
  })
  tokenParams?: Record<string, string>;
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

  @Field(() => TokenEndpointAuthMethod, { nullable: true, description: 'null: back to client_secret_post.' })
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;

  @Field(() => Boolean, { nullable: true })
  pkce?: boolean;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'CLIENT_CREDENTIALS only; null clears them.',
  })
  tokenParams?: Record<string, string> | null;

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
