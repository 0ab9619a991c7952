import { IsIn, IsOptional, Length, MaxLength } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@InputType({ description: 'A call to the third-party API through a connection, named by its link name.' })
export class InvokeUrlInput {
  @Field({ description: 'The link name of the connection.' })
  @Length(1, 50)
  connection!: string;

  @Field({ description: "Absolute, or relative to the service's first API base URL." })
  @Length(1, 8192)
  url!: string;

  @Field({ defaultValue: 'GET', description: 'GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.' })
  @IsIn([
    'GET',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'get',
    'post',
    'put',
    'patch',
    'delete',
    'head',
    'options',
  ])
  method!: string;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'Header name to value. Authorization and Cookie are not forwarded.',
  })
  headers?: Record<string, string>;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'Query parameters: name to a value or a list of values.',
  })
  query?: Record<string, string | string[]>;

  @Field({ nullable: true, description: 'A raw body, sent with the content-type header you give.' })
  @IsOptional()
  @MaxLength(10 * 1024 * 1024)
  body?: string;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'A form, sent application/x-www-form-urlencoded.',
  })
  form?: Record<string, string | string[]>;
}

@ObjectType({ simpleResolvers: true })
export class InvokeUrlResult {
  @Field(() => Int)
  status!: number;

  @Field(() => JSONObjectResolver, {
    description: 'Response headers (hop-by-hop headers and Set-Cookie removed).',
  })
  headers!: Record<string, string | string[]>;

  @Field({ description: 'The body as text, or base64 when bodyBase64 is true.' })
  body!: string;

  @Field({ description: 'True when the body is binary and `body` holds it base64-encoded.' })
  bodyBase64!: boolean;

  @Field(() => Int)
  durationMs!: number;
}
