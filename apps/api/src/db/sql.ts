/** Escapes LIKE wildcards so user text matches literally (used with ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Whether an error is a unique-constraint violation (SQLite: SQLITE_CONSTRAINT_UNIQUE, PostgreSQL: 23505),
 * optionally on an index that covers `column`.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; driverError?: { code?: string; detail?: string } };
  const code = e.driverError?.code ?? e.code;
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  if (!unique || !column) return unique;
  return `${e.message} ${e.driverError?.detail ?? ''}`.includes(column);
}
