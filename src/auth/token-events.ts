import { setMaxListeners } from 'node:events';

/**
 * Tells the server when a token loses rights — it was revoked, or lost or lowered a role on an
 * app — so that the subscriptions it has open (SSE and graphql-ws) end at once instead of going on
 * with the rights they were opened with. A revoked token cannot subscribe again; a demoted one
 * subscribes again with its current rights. This one is in-process only: a revocation by the command
 * line (another process) refuses the token's next requests, but its open subscriptions end only when
 * they reconnect. Across replicas on PostgreSQL: src/auth/replicated-token-events.ts.
 */
export interface TokenEvents {
  /** Announces that the token with this database ID lost a role (its rights were reduced). */
  rightsReduced(tokenId: number): void;
  /** Announces that the token was revoked (which reduces its rights too). */
  revoked(tokenId: number): void;
  /**
   * Tells the other replicas (PostgreSQL) that the token was revoked or lost rights. Call it INSIDE the transaction
   * that makes the change: they hear it when (and only if) the change commits, so a process that dies after the commit
   * has announced it already. Then call `revoked` / `rightsReduced` after the commit, for this process. In one process
   * (SQLite) there is no one else to tell.
   */
  announce(kind: 'revoked' | 'rightsReduced', tokenId: number): Promise<void>;
  /** Aborts at the token's next `rightsReduced` or `revoked`. */
  rightsReducedSignal(tokenId: number): AbortSignal;
  /** Aborts when the token is revoked (graphql-ws connections authenticated with it close). */
  revokedSignal(tokenId: number): AbortSignal;
}

/** The in-process TokenEvents, which can also name the tokens someone listens for. */
export interface LocalTokenEvents extends TokenEvents {
  /** The tokens whose signals were handed out and not aborted yet (open subscriptions or sockets may listen). */
  watched(): number[];
}

/** An AbortController per token, made on first use; every open subscription or socket of the token may listen. */
function controllers() {
  const byToken = new Map<number, AbortController>();
  return {
    get(tokenId: number): AbortController {
      let controller = byToken.get(tokenId);
      if (!controller) {
        controller = new AbortController();
        setMaxListeners(0, controller.signal); // listeners come and go with subscriptions: not a leak
        byToken.set(tokenId, controller);
      }
      return controller;
    },
    /** Aborts the token's controller; the next `get` makes a fresh one. */
    abort(tokenId: number): void {
      byToken.get(tokenId)?.abort();
      byToken.delete(tokenId);
    },
    /** The tokens with a controller not aborted. */
    live: (): number[] => [...byToken].filter(([, c]) => !c.signal.aborted).map(([id]) => id),
  };
}

export function createTokenEvents(): LocalTokenEvents {
  const reduced = controllers();
  const revoked = controllers();
  return {
    announce: () => Promise.resolve(),
    // Later subscriptions get a fresh signal: a demoted token's new subscriptions carry its new rights.
    rightsReduced: (tokenId) => reduced.abort(tokenId),
    revoked(tokenId) {
      reduced.abort(tokenId);
      // Kept aborted: a revoked token never comes back.
      revoked.get(tokenId).abort();
    },
    rightsReducedSignal: (tokenId) => reduced.get(tokenId).signal,
    revokedSignal: (tokenId) => revoked.get(tokenId).signal,
    watched: () => [...new Set([...reduced.live(), ...revoked.live()])],
  };
}
