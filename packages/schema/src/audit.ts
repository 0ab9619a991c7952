import { IsOptional, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { User } from './account';
import { PageInfo } from './page';

@ObjectType({
  simpleResolvers: true,
  description: 'Who did what to which object, and when. Never carries a secret.',
})
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'e.g. connection.created, service.updated, authorization.AUTHORIZED' })
  action!: string;

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

@ObjectType({ simpleResolvers: true })
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

  @Field(() => ID, { nullable: true })
  actorId?: string;
}
