/**
 * Whether `err` is the database refusing a write because of a UNIQUE index (a concurrent insert won): SQLite's code,
 * or PostgreSQL's 23505 (unique_violation) — which drizzle wraps (DrizzleQueryError, the driver's error as `cause`).
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return true;
  }
  return false;
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
