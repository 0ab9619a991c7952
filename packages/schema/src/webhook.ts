import { ArrayMaxSize, IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AuthorizationEventType } from './authorization';
import { PageInfo } from './page';

export enum WebhookStatus {
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
  FAILING = 'FAILING',
}
registerEnumType(WebhookStatus, {
  name: 'WebhookStatus',
  description:
    'ACTIVE receives deliveries; DISABLED by an admin; FAILING after repeated failed deliveries ' +
    '(updateWebhook with enabled: true re-enables it).',
});

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  IN_FLIGHT = 'IN_FLIGHT',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType({
  simpleResolvers: true,
  description: 'An endpoint that receives authorization events by signed POST. Never shows its secret.',
})
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [AuthorizationEventType], { nullable: true, description: 'Null: every type.' })
  types!: AuthorizationEventType[] | null;

  @Field(() => [ID], { nullable: true, description: 'Null: every connection.' })
  connectionIds!: string[] | null;

  @Field(() => ID, { nullable: true })
  extensionId!: string | null;

  @Field(() => WebhookStatus)
  status!: WebhookStatus;

  @Field()
  enabled!: boolean;

  @Field()
  failing!: boolean;

  @Field(() => Int, { description: 'Deliveries in a row that ended failed.' })
  consecutiveFailures!: number;

  @Field()
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'The signing secret is shown here once.' })
export class WebhookWithSecret {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field({ description: 'The HMAC-SHA256 signing secret. Shown once: store it now.' })
  secret!: string;
}

@ObjectType({ simpleResolvers: true, description: 'One event sent (or being sent) to one endpoint.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Also the Connections-Delivery header: the idempotency key.' })
  id!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => ID, { nullable: true, description: 'Null for a test delivery.' })
  eventId!: string | null;

  @Field(() => String, { nullable: true })
  cursor!: string | null;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING only).' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt.' })
  lastStatus!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Int, { nullable: true, description: 'Duration of the last attempt.' })
  durationMs!: number | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDeliveryPage {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [WebhookDelivery], { description: 'Newest first.' })
  nodes!: WebhookDelivery[];
}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'http(s); https in production.' })
  @MaxLength(2048)
  url!: string;

  @Field(() => [AuthorizationEventType], { nullable: true, description: 'Omitted or empty: every type.' })
  @IsOptional()
  @ArrayMaxSize(20)
  types?: AuthorizationEventType[] | null;

  @Field(() => [ID], { nullable: true, description: 'Omitted or empty: every connection.' })
  @IsOptional()
  @ArrayMaxSize(100)
  connectionIds?: string[] | null;

  @Field(() => ID, { nullable: true })
  extensionId?: string | null;
}

@InputType({ description: 'Fields left out stay as they are.' })
export class UpdateWebhookInput {
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(2048)
  url?: string;

  @Field(() => [AuthorizationEventType], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  types?: AuthorizationEventType[] | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  connectionIds?: string[] | null;

  @Field(() => ID, { nullable: true })
  extensionId?: string | null;

  @Field({ nullable: true, description: 'true re-enables a DISABLED or FAILING endpoint.' })
  enabled?: boolean;
}
