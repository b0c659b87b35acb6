import type { WebSocket } from 'ws';
import { expirySignal } from '../auth/roles.js';
import type { Context } from '../schema/context.js';

/** The close code for a connection whose token is no longer usable (as graphql-ws refuses one at connection_init). */
export const REVOKED_CLOSE_CODE = 4403;

/**
 * Closes a graphql-ws connection when the token it was authenticated with is revoked (announced on
 * `ctx.tokenEvents` by revokeApiToken) or expires. Its subscriptions have already completed by then; the
 * client learns that the connection itself is over, and reconnecting with that token is refused.
 */
export function closeWhenRevoked(socket: WebSocket, ctx: Pick<Context, 'viewer' | 'tokenEvents'>): void {
  if (!ctx.viewer) return;
  const revoked = ctx.tokenEvents.revokedSignal(ctx.viewer.tokenId);
  const expiry = expirySignal(ctx.viewer);
  const signal = expiry ? AbortSignal.any([revoked, expiry]) : revoked;
  const close = () => socket.close(REVOKED_CLOSE_CODE, expiry?.aborted ? 'Forbidden: the API token expired' : 'Forbidden: the API token was revoked');
  if (signal.aborted) return close();
  signal.addEventListener('abort', close, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', close));
}
