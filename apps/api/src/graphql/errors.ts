import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, type ErrorCode } from '../errors';
import { safeError } from '../logger';

interface ValidationIssue {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationIssue[];
}

function flatten(issues: ValidationIssue[], prefix = ''): { field: string; message: string }[] {
  return issues.flatMap((i) => {
    // An array element is named like the domain's own errors: connections[1].linkName, not connections.1.linkName.
    const field = /^\d+$/.test(i.property)
      ? `${prefix}[${i.property}]`
      : prefix
        ? `${prefix}.${i.property}`
        : i.property;
    const own = Object.values(i.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(i.property) ? message.slice(i.property.length).trim() : message,
    }));
    return [...own, ...flatten(i.children ?? [], field)];
  });
}

const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
]);

/**
 * Apollo relabels every error from a validation rule GRAPHQL_VALIDATION_FAILED, so the depth limit's own
 * QUERY_TOO_DEEP would never reach clients: the rule's code, kept on the original error, wins.
 */
function ruleCode(error: unknown): string | undefined {
  const inner = error instanceof GraphQLError ? error.originalError : undefined;
  const code = inner instanceof GraphQLError ? inner.extensions?.code : undefined;
  return typeof code === 'string' && PASS_THROUGH.has(code) ? code : undefined;
}

/**
 * graphql-js quotes the whole offending variable value in its coercion errors (`Variable "$i" got invalid
 * value { ..., clientSecret: "..." }; Field "authType" ... was not provided.`), which would echo a secret back
 * (and into logs). Keep the variable, the path and the reason; drop the value.
 */
function withoutVariableValue(
  message: string,
  error: unknown,
): { message: string; field?: string } | undefined {
  const head = /^Variable "\$([^"]+)" got invalid value /.exec(message);
  if (!head) return undefined;
  const inner = error instanceof GraphQLError ? error.originalError : undefined;
  const reason =
    inner && inner !== error && message.endsWith(`; ${inner.message}`) ? inner.message : undefined;
  if (!reason) return { message: `Variable "$${head[1]}" got an invalid value.` };
  const prefix = message.slice(0, message.length - reason.length - 2);
  const at = / at "([^"]*)"$/.exec(prefix)?.[1];
  const field = at?.startsWith(`${head[1]}.`) ? at.slice(head[1]!.length + 1) : undefined;
  return {
    message: `Variable "$${head[1]}" got an invalid value${at ? ` at "${at}"` : ''}; ${reason}`,
    field,
  };
}

/**
 * A refusal raised before any resolver runs (a plugin, a socket's operation hook): a GraphQLError carrying an
 * AppError, so it leaves with the AppError's code, and with its HTTP status where Apollo answers over HTTP.
 */
export function refusal(code: ErrorCode, message: string): GraphQLError {
  const originalError = new AppError(code, message);
  return new GraphQLError(message, {
    originalError,
    extensions: { code, http: { status: originalError.httpStatus } },
  });
}

/** The AppError behind an error: thrown by a resolver, or carried by a refusal (which has no path). */
function appErrorOf(error: unknown): AppError | undefined {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return original;
  const inner = error instanceof GraphQLError ? error.originalError : undefined;
  return inner instanceof AppError ? inner : undefined;
}

/**
 * Every error leaves with a stable extensions.code and a clear message; never a stack trace. Errors we did
 * not raise on purpose are masked in production.
 */
export function formatError(maskUnexpected: boolean, log: (e: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = appErrorOf(error) ?? unwrapResolverError(error);
    if (original instanceof AppError)
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { ...original.details, code: original.code },
      };
    const code = ruleCode(error) ?? (formatted.extensions?.code as string | undefined);
    const validation = formatted.extensions?.validationErrors as ValidationIssue[] | undefined;
    if (validation) {
      const problems = flatten(validation);
      return {
        message: problems.map((p) => `${p.field}: ${p.message}`).join('; ') || 'The input is not valid.',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', field: problems[0]?.field, problems },
      };
    }
    const redacted = code === 'BAD_USER_INPUT' ? withoutVariableValue(formatted.message, error) : undefined;
    if (redacted)
      return {
        message: redacted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: redacted.field ? { code, field: redacted.field } : { code },
      };
    if (code && PASS_THROUGH.has(code))
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code },
      };
    log(original);
    return {
      // Unmasked in development, yet through the same function as logs: a driver's message can quote values.
      message: maskUnexpected ? 'Internal server error.' : safeError(original).message,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
