/**
 * A failed start (a busy port, a bad setting, an unreadable kubeconfig or database) ends the process with
 * exit code 1 and ONE JSON line on stderr, in the shape of cairn's other log lines (pino's: numeric level
 * 60 = fatal, time, service, msg), that says what went wrong and what to change — never a stack trace.
 */

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

/** The operator's message for a start-up error, and its system error code when it has one. */
export function describeStartFailure(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, syscall, path, address, port } = error as SystemError;
  if (syscall === 'listen') {
    const where = `${address ?? 'the configured host'}:${port ?? '?'}`;
    if (code === 'EADDRINUSE') return { code, message: `cannot listen on ${where}: the port is already in use by another process; stop it or choose another port (CAIRN_PORT)` };
    if (code === 'EACCES') return { code, message: `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another port (CAIRN_PORT)` };
    if (code === 'EADDRNOTAVAIL') return { code, message: `cannot listen on ${where}: no such address on this machine; choose another host (CAIRN_HOST)` };
  }
  const reason = code ? FILE_ERRORS[code] : undefined;
  if (code && reason) {
    // Node's own message ("EACCES: permission denied, open '/x'") is replaced; one of cairn's that names the file is kept.
    if (error.message.startsWith(`${code}:`)) return { code, message: path ? `cannot ${syscall ?? 'open'} ${path}: ${reason}` : `${reason} (${error.message})` };
    return { code, message: `${error.message}: ${reason}` };
  }
  return code ? { code, message: error.message } : { message: error.message };
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
};

/** The one JSON line (with its newline) a failed start writes to stderr. */
export function startFailureLine(error: unknown, now: Date = new Date()): string {
  const { message, code } = describeStartFailure(error);
  return `${JSON.stringify({ level: 60, time: now.toISOString(), service: 'cairn', msg: `cannot start: ${message}`, ...(code ? { code } : {}) })}\n`;
}

/** Writes the line and exits with code 1. */
export function exitOnStartFailure(error: unknown): never {
  process.stderr.write(startFailureLine(error));
  process.exit(1);
}
