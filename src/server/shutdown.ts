import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { safeError } from './safe-error.js';
import type { GraphqlWs } from './websocket.js';

/**
 * Closes the HTTP server gracefully; call it after the shutdown signal has aborted (readiness is
 * 503 and open subscriptions are completing). No new connections; idle keep-alive connections close
 * at once, busy ones after their response; WebSocket clients get 1001 (going away). Whatever is still
 * open after `timeoutMs` is cut. Resolves when the server has closed.
 */
export async function closeGracefully(http: Server, ws: GraphqlWs, logger: Logger, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (!http.listening) return resolve();
    http.close(() => resolve());
  });
  http.closeIdleConnections();
  // Let the ended subscriptions send their Complete messages before the sockets close.
  await new Promise((resolve) => setImmediate(resolve));
  const wsClosed = ws.close().catch((error: unknown) => logger.warn({ error: safeError(error) }, 'closing websockets failed'));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([Promise.all([closed, wsClosed]), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn({ timeoutMs }, 'shutdown timeout: closing remaining connections');
    ws.terminate();
    http.closeAllConnections();
    await closed;
  }
}
