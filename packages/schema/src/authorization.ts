import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { User } from './account';
import { Authorization, Connection, CreateConnectionInput } from './connection';
import { ConnectionStatus } from './enums';

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
