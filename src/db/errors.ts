/** Whether `err` is SQLite refusing a write because of a UNIQUE index (a concurrent insert won). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Runs `write`; a UNIQUE violation becomes the error `taken()` builds (e.g. an AlreadyExistsError). */
export function uniqueOr<T>(taken: () => Error, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
}
