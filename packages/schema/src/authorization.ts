import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { User } from './account';
import { Authorization, Connection, CreateConnectionInput } from './connection';
import { ConnectionStatus } from './enums';
import { PageInfo } from './page';

export enum AuthorizationEventType {
  AUTHORIZED = 'AUTHORIZED',
  REAUTHORIZED = 'REAUTHORIZED',
  DENIED = 'DENIED',
  FAILED = 'FAILED',
  REFRESHED = 'REFRESHED',
  REFRESH_FAILED = 'REFRESH_FAILED',
  NEEDS_REAUTH = 'NEEDS_REAUTH',
  REVOKED = 'REVOKED',
  DELETED = 'DELETED',
  ACCOUNT_CHANGED = 'ACCOUNT_CHANGED',
  /** An authorization or a refresh granted fewer scopes than the connection requests. */
  SCOPES_MISSING = 'SCOPES_MISSING',
}
registerEnumType(AuthorizationEventType, { name: 'AuthorizationEventType' });

@ObjectType({
  simpleResolvers: true,
  description: 'Something that happened to an authorization. Never carries a token.',
})
export class AuthorizationEvent {
  @Field(() => ID, { description: 'The id of the audit event that records it.' })
  id!: string;

  @Field(() => AuthorizationEventType)
  type!: AuthorizationEventType;

  @Field(() => ID)
  connectionId!: string;

  @Field()
  linkName!: string;

  @Field(() => User, { description: 'Whose authorization it is.' })
  principal!: User;

  @Field(() => ConnectionStatus, { description: 'The authorization status after the event.' })
  status!: ConnectionStatus;

  @Field(() => ID, { nullable: true, description: 'The attempt that caused it, for connect flows.' })
  attemptId!: string | null;

  @Field()
  at!: Date;

  @Field()
  message!: string;

  @Field({
    description:
      "Where this event sits in the workspace's event log (opaque). Pass it as `after` to authorizationEvents or " +
      'authorizationEventsPage to resume just after it.',
  })
  cursor!: string;

  @Field(() => ID, { nullable: true, description: 'The extension the connection belongs to, if any.' })
  extensionId!: string | null;
}

@InputType({ description: 'Narrows authorization events; every field given must match.' })
export class AuthorizationEventFilter {
  @Field(() => ID, { nullable: true })
  connectionId?: string;

  @Field(() => ID, { nullable: true })
  attemptId?: string;

  @Field(() => [AuthorizationEventType], { nullable: true, description: 'Any of these types.' })
  @IsOptional()
  @ArrayMaxSize(20)
  types?: AuthorizationEventType[];

  @Field(() => ID, { nullable: true, description: "Events of this extension's connections." })
  extensionId?: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Stored authorization events in log order (oldest first). pageInfo.endCursor is always set: pass it as ' +
    '`after` to poll for what came next.',
})
export class AuthorizationEventPage {
  @Field(() => [AuthorizationEvent])
  nodes!: AuthorizationEvent[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType({ description: 'BASIC: username and password. API_KEY: apiKey. Write-only.' })
export class CredentialsInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 500, { message: 'must be 1 to 500 characters' })
  username?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  password?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 4096, { message: 'must be 1 to 4096 characters' })
  apiKey?: string;
}

@InputType()
export class CreateAndConnectInput extends CreateConnectionInput {
  @Field(() => CredentialsInput, { nullable: true, description: 'For BASIC and API_KEY services.' })
  credentials?: CredentialsInput;
}

@ObjectType({ simpleResolvers: true })
export class ConnectResult {
  @Field(() => Connection)
  connection!: Connection;

  @Field(() => Authorization, { nullable: true, description: 'The authorization being created or replaced.' })
  authorization!: Authorization | null;

  @Field(() => String, {
    nullable: true,
    description:
      'OAuth: an absolute URL on this server that starts the flow; open it in a popup or redirect to it. ' +
      'Works once, for the user who asked, within 10 minutes. Null for BASIC and API_KEY (already connected).',
  })
  authorizeUrl!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Pass to authorizationEvents to follow this attempt. Null only in installExtension.toAuthorize for a ' +
      'BASIC or API_KEY connection: nothing is attempted until connect is called with its credentials.',
  })
  attemptId!: string | null;
}
