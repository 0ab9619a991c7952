import pino, { type Logger } from 'pino';

// Paths pino censors wherever they appear; the GraphQL layer also never logs variables.
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'variables',
  '*.variables',
];

export interface SafeError {
  type: string;
  message: string;
  code?: string;
  /** A database error's statement, with placeholders where the values were: never the values. */
  sql?: string;
  constraint?: string;
  table?: string;
  stack?: string;
  cause?: SafeError;
}

// Database drivers quote the offending values in their messages and details (`Key (email)=(a@b.c) already
// exists`, `invalid input syntax for type uuid: "…"`). Names of database objects are kept: they say what failed.
const QUOTED = /(\b(?:constraint|relation|column|table|index|schema|type|function) )?("[^"]*"|'[^']*')/gi;
function withoutQuotedValues(message: string): string {
  return message.replace(QUOTED, (all, objectKind: string | undefined) => (objectKind ? all : '"…"'));
}

const isDatabaseError = (e: Record<string, unknown>) =>
  e.name === 'QueryFailedError' ||
  'driverError' in e ||
  typeof e.severity === 'string' ||
  /^SQLITE_/.test(String(e.code ?? ''));

/**
 * The one way an error reaches a log (pino's `err` serializer, fatal start-up, unhandled rejections) or a
 * development-mode GraphQL message: class, code, message and, for database errors, the statement without its
 * values. Never `parameters`, a driver's `detail`, or anything else an error happens to carry: a failed write
 * of a password hash, a sealed secret or an email would otherwise log them.
 */
export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) return { type: typeof error, message: 'a non-Error value was thrown' };
  const e = error as Error & Record<string, unknown>;
  const database = isDatabaseError(e);
  const message = database ? withoutQuotedValues(e.message) : e.message;
  const out: SafeError = { type: e.constructor?.name || e.name || 'Error', message: message.slice(0, 1000) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = String(e.code);
  if (database && typeof e.query === 'string') out.sql = e.query.slice(0, 1000);
  if (database && typeof e.constraint === 'string') out.constraint = e.constraint;
  if (database && typeof e.table === 'string') out.table = e.table;
  // The stack's first line repeats the raw message: keep only the frames.
  if (typeof e.stack === 'string') out.stack = e.stack.split('\n').slice(1).join('\n');
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: safeError, error: safeError },
    },
    destination,
  );
}
