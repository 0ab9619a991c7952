import { type ExecutionResult, GraphQLError, type GraphQLFormattedError, Kind } from 'graphql';
import Negotiator from 'negotiator';

/** An HTTP answer to a GraphQL request: status, content type, body, and headers an error asked for. */
export interface GraphqlAnswer {
  status: number;
  contentType: string;
  body: string;
  headers?: Map<string, string>;
}

type Format = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// Apollo Server 5's media types for a single result (ApolloServer.ts MEDIA_TYPES).
const JSON_TYPE = 'application/json; charset=utf-8';
const OFFERED = [
  JSON_TYPE,
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];
const chosen = new Map<string, string | null>();

/**
 * The content type Apollo answers a single result with for this Accept header, or null when the client takes
 * none of them (Apollo's 406, left to Apollo). GraphQL over HTTP: application/json without an Accept header.
 * Cached per header value: a client sends the same one every time (bounded: past 64 values, computed each time).
 */
export function singleResultContentType(accept: string | undefined): string | null {
  if (!accept) return JSON_TYPE;
  let type = chosen.get(accept);
  if (type === undefined) {
    type = new Negotiator({ headers: { accept } }).mediaType(OFFERED) ?? null;
    if (chosen.size < 64) chosen.set(accept, type);
  }
  return type;
}

/**
 * Apollo's reading of graphql-js's variable coercion errors (requestPipeline.ts isBadUserInputGraphQLError):
 * the caller's input is wrong, BAD_USER_INPUT, and with no data the answer is a 400.
 */
function isBadUserInput(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const variable = `Variable "$${node.variable.name.value}" `;
  return ['has invalid value', 'got invalid value ', 'of required type ', 'of non-null type '].some((rest) =>
    error.message.startsWith(variable + rest),
  );
}

/**
 * Apollo's normalisation before formatError (errorNormalize.ts): a GraphQLError whose extensions carry a code,
 * INTERNAL_SERVER_ERROR when it has none, and an `extensions.http` status taken off the error onto the answer.
 * A formatError that throws leaves a fixed message (no stack trace is ever included here).
 */
function formatted(errors: readonly GraphQLError[], format: Format) {
  let status: number | undefined;
  let headers: Map<string, string> | undefined;
  const out = errors.map((raw) => {
    // Apollo's UserInputError: the same message and nodes, coded, wrapping what graphql-js wrapped.
    const error =
      isBadUserInput(raw) && raw.extensions?.code == null
        ? new GraphQLError(raw.message, {
            nodes: raw.nodes,
            originalError: raw.originalError ?? raw,
            extensions: { ...raw.extensions, code: 'BAD_USER_INPUT' },
          })
        : raw;
    const extensions: Record<string, unknown> = {
      ...error.extensions,
      code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
    };
    // An error may ask for an HTTP status and headers (429 with Retry-After: account.resolver.ts).
    const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
    if (isHttpHead(http)) {
      if (http.status) status = http.status;
      for (const [name, value] of http.headers ?? []) (headers ??= new Map()).set(name, value);
      delete extensions.http;
    }
    try {
      return format({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { errors: out, status, headers };
}

/** Apollo's isPartialHTTPGraphQLHead: a number status and a Map of headers, each optional. */
function isHttpHead(x: unknown): x is { status?: number; headers?: Map<string, string> } {
  if (!x || typeof x !== 'object') return false;
  const { status, headers } = x as { status?: unknown; headers?: unknown };
  return (!('status' in x) || typeof status === 'number') && (!('headers' in x) || headers instanceof Map);
}

/**
 * An execution result as Apollo Server 5 answers it over HTTP: 200, or a status an error asked for, or 400
 * when the variables did not coerce (no data); the body's fields in Apollo's order, with its trailing newline.
 */
export function executionAnswer(result: ExecutionResult, contentType: string, format: Format): GraphqlAnswer {
  const { errors, status, headers } = result.errors?.length
    ? formatted(result.errors, format)
    : { errors: undefined, status: undefined, headers: undefined };
  const body = JSON.stringify({ errors, data: result.data, extensions: result.extensions }) + '\n';
  return {
    status: status ?? (errors && result.data === undefined ? 400 : 200),
    contentType,
    body,
    headers,
  };
}
