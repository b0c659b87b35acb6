import { setMaxListeners } from 'node:events';

/**
 * Tells the server when a token loses rights — it was revoked, or lost or lowered a role on an
 * app — so that the subscriptions it has open (SSE and graphql-ws) end at once instead of going on
 * with the rights they were opened with. A revoked token cannot subscribe again; a demoted one
 * subscribes again with its current rights. In-process only: a revocation by the command line
 * (another process) refuses the token's next requests, but its open subscriptions end only when
 * they reconnect.
 */
export interface TokenEvents {
  /** Announces that the token with this database ID was revoked or lost rights. */
  rightsReduced(tokenId: number): void;
  /** Aborts at the token's next `rightsReduced`. */
  rightsReducedSignal(tokenId: number): AbortSignal;
}

export function createTokenEvents(): TokenEvents {
  const controllers = new Map<number, AbortController>();
  return {
    rightsReduced(tokenId) {
      // The next subscriptions get a fresh signal: a demoted token's new subscriptions carry its new rights.
      controllers.get(tokenId)?.abort();
      controllers.delete(tokenId);
    },
    rightsReducedSignal(tokenId) {
      let controller = controllers.get(tokenId);
      if (!controller) {
        controller = new AbortController();
        // Every open subscription of the token listens (and stops listening when it ends).
        setMaxListeners(0, controller.signal);
        controllers.set(tokenId, controller);
      }
      return controller.signal;
    },
  };
}
