/**
 * An unexpected error as cairn logs it: its type, message and stack (and its cause's), with query
 * parameters cut out — a failed SQL query's message lists its parameters, which may hold secret
 * values — and none of the error's other properties (request options, headers, bodies …).
 */
export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  cause?: SafeError;
}

const PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/;

export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) return { type: typeof error, message: 'a non-Error value was thrown' };
  const scrub = (text: string) => text.replace(PARAMS, '\nparams: [REDACTED]');
  const safe: SafeError = { type: error.name, message: scrub(error.message) };
  if (error.stack) safe.stack = scrub(error.stack);
  if (error.cause !== undefined && depth < 3) safe.cause = safeError(error.cause, depth + 1);
  return safe;
}
