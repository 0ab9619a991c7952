import { ArrayMaxSize, IsOptional, Length, ValidateNested } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { User } from './account';

// Who may see and use a connection (issue 13): its restriction to named members, and the inputs that set it.

@ObjectType({
  simpleResolvers: true,
  description: 'The members a connection is limited to, besides its owner and admins (always allowed).',
})
export class ConnectionRestriction {
  @Field(() => [User], { description: 'The named members; the owner and admins are implicit, never listed.' })
  members!: User[];
}

@InputType({
  description:
    'Who may see and use a connection besides its owner and admins (always allowed). Unrestricted: every member.',
})
export class ConnectionAccessInput {
  @Field({ description: 'Limit the connection to the named members (and its owner and admins).' })
  restricted!: boolean;

  @Field(() => [ID], {
    nullable: true,
    description: 'When restricted: user ids of members of this workspace (empty: only the owner and admins).',
  })
  @IsOptional()
  @ArrayMaxSize(500)
  @Length(1, 80, { each: true })
  members?: string[];
}

@InputType({ description: 'Absent fields are unchanged. The link name is immutable.' })
export class UpdateConnectionInput {
  @Field(() => ID)
  @Length(1, 80)
  id!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 50, { message: 'must be 1 to 50 characters' })
  name?: string;

  @Field(() => [String], {
    nullable: true,
    description:
      'The scopes to request. Existing authorizations keep working with what they were granted; their ' +
      'missingScopes show the gap until they are re-authorized.',
  })
  @IsOptional()
  @ArrayMaxSize(100)
  scopes?: string[];

  @Field(() => ConnectionAccessInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  access?: ConnectionAccessInput;
}
