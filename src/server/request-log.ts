import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/**
 * Logs one line per HTTP request when it ends (plus a debug line when it starts): method, path (never the query string, which may hold
 * variables), status and duration. Headers and bodies are never logged.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  logger.debug({ method: req.method, path: pathOf(req.url) }, 'request started');
  res.once('close', () => {
    const fields = {
      method: req.method,
      path: pathOf(req.url),
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    logger.info(fields, 'request');
  });
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
