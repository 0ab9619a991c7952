import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { User } from './account';
import { ConnectResult } from './authorization';
import { Connection, LINK_NAME_PATTERN } from './connection';
import { Service } from './service';

/** An extension's key: what identifies it across workspaces and deployments (a manifest's `key`). */
export const EXTENSION_KEY_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,78}[a-z0-9])?$/;

@ObjectType({
  simpleResolvers: true,
  description: 'A connection an extension brings, created in the workspace on install.',
})
export class ConnectionDefinition {
  @Field()
  name!: string;

  @Field()
  linkName!: string;

  @Field({ description: 'The service slug.' })
  service!: string;

  @Field(() => [String])
  scopes!: string[];

  @Field()
  useLoginUserCredentials!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class Extension {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({
    description:
      'Identifies the extension across workspaces and deployments: installing a manifest with this key ' +
      'upgrades this extension (when its version is newer) instead of adding another.',
  })
  key!: string;

  @Field({ description: 'Semantic version (semver.org) of its definition, e.g. "1.2.0".' })
  version!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [ConnectionDefinition])
  connectionDefinitions!: ConnectionDefinition[];

  @Field()
  installed!: boolean;

  @Field(() => Date, { nullable: true })
  installedAt!: Date | null;

  @Field(() => User, { nullable: true, description: 'Owns the owner-credential connections it created.' })
  installedBy!: User | null;

  @Field(() => [Connection], { description: 'Its connections in this workspace that the viewer can see.' })
  connections!: Connection[];

  @Field()
  createdAt!: Date;
}

@InputType()
export class ConnectionDefinitionInput {
  @Field()
  @Length(1, 50, { message: 'must be 1 to 50 characters' })
  name!: string;

  @Field({ nullable: true, description: 'Derived from the name when left out.' })
  @IsOptional()
  @Matches(LINK_NAME_PATTERN, { message: 'must be 1 to 50 characters of a-z, 0-9 and _' })
  linkName?: string;

  @Field({ description: 'A catalog slug, or a custom service slug of the workspace.' })
  @Length(1, 80)
  service!: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  scopes?: string[];

  @Field({
    defaultValue: false,
    description:
      "true: each user authorizes with their own account. false: the installer's account is used for everyone.",
  })
  useLoginUserCredentials!: boolean;
}

@InputType()
export class CreateExtensionInput {
  @Field()
  @Length(1, 80, { message: 'must be 1 to 80 characters' })
  name!: string;

  @Field({
    nullable: true,
    description:
      'a-z, 0-9, ".", "_" and "-", at most 80 characters, unique in the workspace. Derived from the name when ' +
      'left out.',
  })
  @IsOptional()
  @Matches(EXTENSION_KEY_PATTERN, {
    message: 'must be 1 to 80 characters of a-z, 0-9, ".", "_" and "-", starting and ending with a-z or 0-9',
  })
  key?: string;

  @Field({ nullable: true, description: 'Semantic version, e.g. "1.0.0" (the default).' })
  @IsOptional()
  @MaxLength(64)
  version?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string;

  @Field(() => [ConnectionDefinitionInput])
  @ArrayMinSize(1, { message: 'must define at least one connection' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  connections!: ConnectionDefinitionInput[];
}

@ObjectType({ simpleResolvers: true })
export class InstallExtensionResult {
  @Field(() => Extension)
  extension!: Extension;

  @Field(() => [ConnectResult], {
    description:
      "One per connection that uses the owner's credentials and needs authorizing: on install every one (the " +
      'installer owns them); on an upgrade the new and replaced ones, and those whose scopes grew. OAuth: ' +
      'status PENDING with an authorizeUrl to open, CONNECTED once the flow completes; authorizeUrl null while ' +
      'its service has no OAuth client here (servicesToConfigure). BASIC / API_KEY: authorizeUrl and ' +
      'attemptId null, since no credentials can come with the install: call connect with them. Login-user ' +
      'connections are not listed: each user connects them on first use.',
  })
  toAuthorize!: ConnectResult[];

  @Field(() => String, {
    nullable: true,
    description: 'The version this install replaced: set when a manifest upgraded an installed extension.',
  })
  previousVersion!: string | null;

  @Field(() => [Service], {
    description:
      'OAuth services of these connections that have no client secret (or client id) in this workspace yet, ' +
      'such as the custom services a manifest created (a manifest carries no secret): set them ' +
      '(updateService, setServiceCredentials), then connect. Their connections are in toAuthorize with a null ' +
      'authorizeUrl.',
  })
  servicesToConfigure!: Service[];
}
