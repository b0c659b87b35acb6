/** Whether `err` is the database refusing a write because of a UNIQUE index (a concurrent insert won): SQLite's code, or PostgreSQL's 23505 (unique_violation). */
export function isUniqueViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** Runs `write`; a UNIQUE violation becomes the error `taken()` builds (e.g. an AlreadyExistsError). */
export async function uniqueOr<T>(taken: () => Error, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
}
