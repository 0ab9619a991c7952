import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { User } from './account';
import { ConnectionScope, ConnectionStatus } from './enums';
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
}
