import { IsOptional, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { User } from './account';
import { PageInfo } from './page';

export enum AuditEventKind {
  AUTHORIZATION = 'AUTHORIZATION',
  INVOCATION = 'INVOCATION',
  CHANGE = 'CHANGE',
}

export enum AuditOutcome {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
}

registerEnumType(AuditEventKind, {
  name: 'AuditEventKind',
  description:
    'AUTHORIZATION: an authorization event (authorized, refreshed, denied, revoked...). INVOCATION: a call ' +
    'through a connection (invokeUrl or /proxy). CHANGE: everything else (a connection, service, member, ' +
    'token or webhook created, changed or deleted; sign-in failures).',
});
registerEnumType(AuditOutcome, {
  name: 'AuditOutcome',
  description:
    'SUCCESS or FAILURE. A call fails when the upstream answers 4xx/5xx or the call is refused or cannot ' +
    'reach it; an authorization fails when denied, failed, not refreshed, to be reconnected or missing scopes.',
});

@ObjectType({
  simpleResolvers: true,
  description: 'Who did what to which object, and when. Never carries a secret.',
})
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'e.g. connection.created, service.updated, authorization.AUTHORIZED' })
  action!: string;

  @Field(() => AuditEventKind)
  kind!: AuditEventKind | `${AuditEventKind}`;

  @Field(() => AuditOutcome, {
    nullable: true,
    description: 'Null for events that are neither (a revocation, a deletion, an account change).',
  })
  outcome!: AuditOutcome | `${AuditOutcome}` | null;

  @Field(() => User, { nullable: true })
  actor!: User | null;

  @Field()
  targetType!: string;

  @Field(() => String, { nullable: true })
  targetId!: string | null;

  @Field(() => ID, { nullable: true })
  connectionId!: string | null;

  @Field()
  message!: string;

  @Field(() => JSONObjectResolver, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field()
  createdAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Newest first. Cursors name an event: new events never shift the pages after it.',
})
export class AuditEventPage {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [AuditEvent])
  nodes!: AuditEvent[];
}

@InputType()
export class AuditEventFilter {
  @Field(() => ID, { nullable: true })
  connectionId?: string;

  @Field({ nullable: true, description: 'An action, or a prefix ending in "." (e.g. "connection.").' })
  @IsOptional()
  @MaxLength(64)
  action?: string;

  @Field(() => ID, { nullable: true, description: 'Events of this member (for calls: who called).' })
  actorId?: string;

  @Field(() => AuditEventKind, { nullable: true })
  kind?: AuditEventKind;

  @Field(() => AuditOutcome, { nullable: true })
  outcome?: AuditOutcome;
}
