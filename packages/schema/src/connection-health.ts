import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

@ObjectType({
  simpleResolvers: true,
  description:
    "A connection's calls at a glance, from the activity log: the calls the viewer may read there (admins: " +
    'every call; members: their own, and every call of an owner-credential connection they own).',
})
export class ConnectionHealth {
  @Field(() => Date, {
    nullable: true,
    description: 'The last call through it (invokeUrl or /proxy), if any.',
  })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The last call the upstream answered with 2xx or 3xx.' })
  lastSuccessAt!: Date | null;

  @Field(() => Int, { description: 'Calls over the last 24 hours.' })
  calls24h!: number;

  @Field(() => Int, {
    description:
      'Of those, the failed ones: an upstream 4xx/5xx, a refusal (NEEDS_AUTHORIZATION, HOST_NOT_ALLOWED...) or a ' +
      'network error.',
  })
  errors24h!: number;
}

export enum ConnectionOrderField {
  NAME = 'NAME',
  SERVICE = 'SERVICE',
  STATUS = 'STATUS',
  CREATED = 'CREATED',
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(ConnectionOrderField, {
  name: 'ConnectionOrderField',
  valuesConfig: {
    NAME: { description: 'The display name, case-insensitively.' },
    SERVICE: { description: "The service's name." },
    STATUS: {
      description:
        "The viewer's status, worst first when ascending: NEEDS_REAUTH, REFRESH_FAILED, FAILED, DENIED, PENDING, " +
        'REFRESHING, CONNECTED, REVOKED, NOT_CONNECTED.',
    },
    CREATED: { description: 'When the connection was created.' },
  },
});
registerEnumType(OrderDirection, { name: 'OrderDirection' });

@InputType({
  description:
    'How a list is sorted; ties are broken by id, so offsets and cursors stay stable between pages.',
})
export class ConnectionOrder {
  @Field(() => ConnectionOrderField)
  field!: ConnectionOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction!: OrderDirection;
}
