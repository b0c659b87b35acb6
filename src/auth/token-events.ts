import { setMaxListeners } from 'node:events';

/**
 * Tells the server when a token is revoked, so that what it still has open ends at once (its
 * subscriptions over SSE and graphql-ws); its next requests are refused by authentication anyway.
 * In-process only: a revocation by the command line (another process) ends the token's open
 * subscriptions only when they next check in (they are refused on reconnect).
 */
export interface TokenEvents {
  /** Announces that the token with this database ID was revoked. */
  revoked(tokenId: number): void;
  /** Aborts when the token is revoked (already aborted for one revoked by this process). */
  revocation(tokenId: number): AbortSignal;
}

export function createTokenEvents(): TokenEvents {
  const controllers = new Map<number, AbortController>();
  const controllerOf = (tokenId: number) => {
    let controller = controllers.get(tokenId);
    if (!controller) {
      controller = new AbortController();
      // Every open subscription of the token listens (and stops listening when it ends).
      setMaxListeners(0, controller.signal);
      controllers.set(tokenId, controller);
    }
    return controller;
  };
  return {
    revoked: (tokenId) => controllerOf(tokenId).abort(),
    revocation: (tokenId) => controllerOf(tokenId).signal,
  };
}
