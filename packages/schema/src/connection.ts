import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { User } from './account';
import { ConnectionHealth } from './connection-health';
import { ConnectionRelation, ConnectionScope, ConnectionStatus } from './enums';
import { ConnectionAccessInput, ConnectionRestriction } from './connection-access';
import { PageInfo } from './page';
import { Service } from './service';

export const LINK_NAME_PATTERN = /^[a-z0-9_]{1,50}$/;

@ObjectType({ simpleResolvers: true })
export class UpstreamAccount {
  @Field()
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description: "One principal's credentials for a connection (the credentials are never returned).",
})
export class Authorization {
  @Field(() => ID)
  id!: string;

  @Field(() => User)
  principal!: User;

  @Field(() => ConnectionStatus)
  status!: ConnectionStatus;

  @Field(() => [String])
  grantedScopes!: string[];

  @Field(() => [String], {
    description:
      "The connection's requested scopes this authorization was not granted: after a scope change, or when the " +
      'provider granted fewer than asked (scope drift, SCOPES_MISSING). Reconnect to grant them.',
  })
  missingScopes!: string[];

  @Field({
    description:
      'Whether a refresh token is stored: the access token is then refreshed automatically; without one it ' +
      'works until expiresAt, then the connection must be reconnected.',
  })
  hasRefreshToken!: boolean;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => UpstreamAccount, { nullable: true })
  account!: UpstreamAccount | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  connectedAt!: Date | null;

  @Field()
  updatedAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'What the viewer may do with a connection, decided on the server in one place (clients show, never re-derive).',
})
export class ConnectionPermissions {
  @Field({ description: 'Call the API through it (invokeUrl, /proxy).' })
  use!: boolean;

  @Field({ description: 'Authorize or re-authorize it (connect), and revoke that authorization.' })
  connect!: boolean;

  @Field({ description: 'Edit or delete it (the owner and admins).' })
  manage!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class Connection {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The immutable handle that invocations use.' })
  linkName!: string;

  @Field(() => Service)
  service!: Service;

  @Field(() => [String])
  scopes!: string[];

  @Field({ description: "Each user authorizes with their own account instead of the owner's." })
  useLoginUserCredentials!: boolean;

  @Field(() => User)
  owner!: User;

  @Field(() => ID, { nullable: true })
  extensionId!: string | null;

  @Field(() => ConnectionStatus, {
    description: 'The status of the authorization that an invocation by the viewer would use.',
  })
  status!: ConnectionStatus;

  @Field(() => Authorization, {
    nullable: true,
    description: 'The authorization an invocation by the viewer would use, if any.',
  })
  authorization!: Authorization | null;

  @Field(() => ConnectionPermissions)
  viewerCan!: ConnectionPermissions;

  @Field(() => ConnectionRelation, { description: 'How the connection relates to the viewer.' })
  relation!: ConnectionRelation;

  @Field(() => ConnectionRestriction, {
    nullable: true,
    description: 'Who besides the owner and admins may see and use it; null when every member may.',
  })
  restriction!: ConnectionRestriction | null;

  @Field({
    description:
      'False while the first authorization of a connection made with createAndConnect has not succeeded: only ' +
      'its creator sees it, and can resume it (connect) or discard it (deleteConnection).',
  })
  finished!: boolean;

  @Field(() => Date, {
    nullable: true,
    description:
      'When a not-finished connection is removed with its attempt, releasing its link name (a new connect ' +
      'moves it later); null once finished.',
  })
  unfinishedExpiresAt!: Date | null;

  @Field(() => ConnectionHealth, {
    description:
      'Last use, last success, calls and errors over 24 hours (from the activity log); read for a whole page ' +
      'in one statement.',
  })
  health?: ConnectionHealth;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ConnectionPage {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [Connection])
  nodes!: Connection[];
}

@InputType()
export class ConnectionFilter {
  @Field(() => ConnectionScope, { defaultValue: ConnectionScope.ALL })
  scope!: ConnectionScope;

  @Field(() => ID, { nullable: true, description: 'A service id or slug.' })
  service?: string;

  @Field(() => ConnectionStatus, { nullable: true })
  status?: ConnectionStatus;

  @Field({ nullable: true, description: 'Matches name or link name, case-insensitively.' })
  @IsOptional()
  @MaxLength(100)
  search?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Connections owned by this member. Admins may name anyone; others only themselves.',
  })
  @IsOptional()
  @Length(1, 80)
  owner?: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "true: only connections that need someone to act: the viewer's authorization is NEEDS_REAUTH or " +
      'REFRESH_FAILED, or lacks requested scopes (missingScopes not empty). false: only the others.',
  })
  needsAttention?: boolean;
}

@InputType()
export class CreateConnectionInput {
  @Field()
  @Length(1, 50, { message: 'must be 1 to 50 characters' })
  name!: string;

  @Field({ nullable: true, description: 'Derived from the name when left out. [a-z0-9_], at most 50.' })
  @IsOptional()
  @Matches(LINK_NAME_PATTERN, { message: 'must be 1 to 50 characters of a-z, 0-9 and _' })
  linkName?: string;

  @Field(() => ID, { description: 'A service id or slug.' })
  @Length(1, 80)
  service!: string;

  @Field(() => [String], { nullable: true, description: "Defaults to the service's default scopes." })
  @IsOptional()
  @ArrayMaxSize(100)
  scopes?: string[];

  @Field({ defaultValue: false })
  useLoginUserCredentials!: boolean;

  @Field(() => ID, { nullable: true })
  extensionId?: string;

  @Field({ nullable: true, description: 'For catalog services whose URLs have a [subdomain] placeholder.' })
  @IsOptional()
  // A host label (RFC 1123 section 2.1), never a number (`2130706433` and `0x7f000001` are 127.0.0.1 to a
  // URL parser) and never `localhost`: the value decides where the workspace's OAuth client secret is sent.
  @Matches(/^(?!localhost$)(?!\d+$)(?!0x[0-9a-f]*$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, {
    message: 'must be a host label: letters, digits and inner hyphens, not a number, not localhost',
  })
  subdomain?: string;

  @Field(() => ConnectionAccessInput, { nullable: true, description: 'Absent: every member may use it.' })
  @IsOptional()
  @ValidateNested()
  access?: ConnectionAccessInput;
}
