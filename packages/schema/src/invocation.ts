import { ArrayMaxSize, IsIn, IsOptional, Length, ValidateNested } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@InputType({ description: 'A file of a multipart/form-data body.' })
export class InvokeFileInput {
  @Field({ description: 'The form field name the file goes in.' })
  @Length(1, 200)
  field!: string;

  @Field({ description: 'The file name the upstream sees.' })
  @Length(1, 255)
  filename!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Its content type; application/octet-stream if absent.',
  })
  @IsOptional()
  @Length(1, 255)
  contentType?: string | null;

  @Field({ description: 'The bytes, base64-encoded (RFC 4648 section 4).' })
  contentBase64!: string;
}

@InputType({
  description:
    'Retries on the given statuses, for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) unless anyMethod: ' +
    'Retry-After honoured on 429 and 503, otherwise exponential backoff with jitter, all within the time limit.',
})
export class InvokeRetryInput {
  @Field(() => Int, { description: 'Attempts in all, the first included (1 to 5).' })
  attempts!: number;

  @Field(() => [Int], {
    nullable: true,
    description: 'Statuses that are retried; default 429, 502, 503, 504.',
  })
  @IsOptional()
  @ArrayMaxSize(50)
  onStatuses?: number[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Retry POST and PATCH too (their effect may happen twice): only for calls that are safe to repeat.',
  })
  anyMethod?: boolean | null;
}

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

  // The size limit (10 MiB, PAYLOAD_TOO_LARGE past it) is checked where the body is built, in decoded bytes.
  @Field({ nullable: true, description: 'A raw text body, sent with the content type you give.' })
  @IsOptional()
  body?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'A binary body, base64-encoded, sent as its bytes with contentType (application/octet-stream).',
  })
  bodyBase64?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The content type of body or bodyBase64 (wins over a Content-Type header).',
  })
  @IsOptional()
  @Length(1, 255)
  contentType?: string | null;

  @Field(() => [InvokeFileInput], {
    nullable: true,
    description: 'Files: the body is multipart/form-data, with the form fields beside them. 10 MiB in all.',
  })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  files?: InvokeFileInput[] | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "The whole call's time limit in ms (retries and redirects included), up to the deployment's.",
  })
  timeoutMs?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Follow redirects (at most 5), each target checked against the service's API hosts and the address " +
      'policy; credentials are not sent to another origin. Off by default: the redirect comes back.',
  })
  followRedirects?: boolean | null;

  @Field(() => InvokeRetryInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  retry?: InvokeRetryInput | null;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'A form, sent application/x-www-form-urlencoded.',
  })
  form?: Record<string, string | string[]>;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "A provider's rate-limit figures from its response headers (X-RateLimit-*, RateLimit-*, RateLimit).",
})
export class InvokeRateLimit {
  @Field(() => Int, { nullable: true, description: 'Requests allowed in the window.' })
  limit!: number | null;

  @Field(() => Int, { nullable: true, description: 'Requests left in the window.' })
  remaining!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the window resets.' })
  resetAt!: Date | null;
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

  @Field({ description: 'The URL that gave the response: the request URL, or where its redirects led.' })
  url!: string;

  @Field(() => Int, { description: 'Attempts made: 1, or more with retry.' })
  attempts!: number;

  @Field(() => InvokeRateLimit, {
    nullable: true,
    description: 'Null when the response carries no rate-limit headers.',
  })
  rateLimit!: InvokeRateLimit | null;
}
