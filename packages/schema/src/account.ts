import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Role } from './enums';

@ObjectType({ simpleResolvers: true })
export class User {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field()
  displayName!: string;
}

@ObjectType({ simpleResolvers: true })
export class Workspace {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;
}

@ObjectType({ simpleResolvers: true })
export class Member {
  @Field(() => User)
  user!: User;

  @Field(() => Role)
  role!: Role;

  @Field()
  joinedAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Who is calling: the signed-in user or the owner of the API token.',
})
export class Viewer {
  @Field(() => User)
  user!: User;

  @Field(() => Workspace)
  workspace!: Workspace;

  @Field(() => Role)
  role!: Role;

  @Field({ description: 'SESSION for a console sign-in, API_TOKEN for a bearer token.' })
  authMethod!: string;
}

@InputType()
export class SignInInput {
  @Field()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @Field()
  @IsString()
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  password!: string;
}

@InputType()
export class AddMemberInput {
  @Field()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 80, { message: 'must be 1 to 80 characters' })
  displayName?: string;

  @Field({ description: 'The initial password; at least 12 characters.' })
  @Length(12, 200, { message: 'must be 12 to 200 characters' })
  password!: string;

  @Field(() => Role, { defaultValue: Role.MEMBER })
  @IsIn(Object.values(Role))
  role!: Role;
}

@InputType()
export class SetMemberRoleInput {
  @Field(() => String)
  @IsString()
  userId!: string;

  @Field(() => Role)
  @IsIn(Object.values(Role))
  role!: Role;
}

@ObjectType({
  simpleResolvers: true,
  description: 'An API token. The secret value is returned once, by createApiToken.',
})
export class ApiToken {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The first characters of the token, to recognise it.' })
  prefix!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreatedApiToken {
  @Field(() => ApiToken)
  apiToken!: ApiToken;

  @Field({ description: 'The token itself. Shown only in this response: store it now.' })
  token!: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field()
  @Length(1, 80, { message: 'must be 1 to 80 characters' })
  name!: string;
}

@InputType()
export class RemoveMemberInput {
  @Field(() => String)
  @IsString()
  userId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'What removing a member did. Connections they owned now belong to the admin who removed them; ' +
    'owner-credential ones must be reconnected by their new owner.',
})
export class RemovedMember {
  @Field(() => User)
  user!: User;

  @Field(() => Int, { description: 'Their console sessions in this workspace, ended at once.' })
  endedSessions!: number;

  @Field(() => Int, { description: 'Their API tokens in this workspace, revoked at once.' })
  revokedApiTokens!: number;

  @Field(() => Int, { description: 'Connections they owned, now owned by the admin who removed them.' })
  transferredConnections!: number;

  @Field(() => Int, {
    description: 'Their authorizations in this workspace, revoked here and, best effort, at the provider.',
  })
  revokedAuthorizations!: number;
}

@InputType()
export class ChangePasswordInput {
  @Field()
  @IsString()
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  currentPassword!: string;

  @Field({ description: 'At least 12 characters.' })
  @IsString()
  @Length(12, 200, { message: 'must be 12 to 200 characters' })
  newPassword!: string;
}

@ObjectType({ simpleResolvers: true })
export class SignedOutEverywhere {
  @Field(() => Int, { description: 'Console sessions ended, in every workspace, this one included.' })
  endedSessions!: number;

  @Field(() => Int, { description: 'API tokens revoked (only when includeApiTokens was true).' })
  revokedApiTokens!: number;
}
