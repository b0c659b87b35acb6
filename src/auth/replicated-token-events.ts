/**
 * Token revocations and role changes across replicas (PostgreSQL): the same `TokenEvents` as in one process, but a
 * revocation or a lowered role made on one replica also ends the token's subscriptions and sockets on every other
 * replica sharing the database, through a NOTIFY on `cairn_tokens` carrying `<origin>;r<tokenId>` (revoked) or
 * `d<tokenId>` (rights reduced) — IDs only. The NOTIFY is sent inside the transaction that makes the change
 * (`announce`), so it is delivered exactly when the change commits: a replica that dies right after its commit has
 * told the others already. A replica skips its own notifications (it acted at once, after its commit).
 *
 * After the LISTEN connection was lost (announcements may have been missed), every token that has subscriptions
 * open here is taken as demoted — its subscriptions end and come back with its current rights, read from the
 * database — and those `isRevoked` finds revoked are revoked here too (their sockets close).
 */
import { randomBytes } from 'node:crypto';
import { CHANNELS, type Notifications } from '../db/pg/notifications.js';
import { createTokenEvents, type TokenEvents } from './token-events.js';

export interface ReplicatedTokenEvents extends TokenEvents {
  readonly origin: string;
  /** Stops listening (the notifications themselves are the database's to close). */
  close(): void;
}

export interface ReplicatedTokenEventsOptions {
  /** This process's name in its notifications (default: random). */
  origin?: string;
  /**
   * Sends one notification on `cairn_tokens` — in the flow's transaction when one is open (the database's `announce`).
   * Default: the bus's `notify` (sent at once, for the tests of the bus alone).
   */
  send?: (payload: string) => Promise<void>;
  /** After a gap: which of these tokens are revoked now (read from the database, bounded). Without it only the demotion applies. */
  isRevoked?: (tokenIds: number[]) => Promise<number[]>;
  onError?: (error: Error) => void;
  /** Told before another replica's announcement takes effect here (the caches of what tokens may read move first). */
  onHeard?: () => void;
}

/** The payload announcing one change of a token: `<origin>;r12` (revoked) or `<origin>;d12` (rights reduced). */
export function tokenPayload(origin: string, kind: 'revoked' | 'rightsReduced', tokenId: number): string {
  return `${origin};${kind === 'revoked' ? 'r' : 'd'}${tokenId}`;
}

/** `<origin>;r12,d13` → the origin and the announcements; null when it is not one. */
export function parseTokenPayload(payload: string): { origin: string; events: Array<{ kind: 'revoked' | 'rightsReduced'; tokenId: number }> } | null {
  const at = payload.indexOf(';');
  if (at <= 0) return null;
  const events: Array<{ kind: 'revoked' | 'rightsReduced'; tokenId: number }> = [];
  for (const part of payload.slice(at + 1).split(',')) {
    const tokenId = Number(part.slice(1));
    if (!Number.isSafeInteger(tokenId) || tokenId <= 0) continue;
    if (part[0] === 'r') events.push({ kind: 'revoked', tokenId });
    else if (part[0] === 'd') events.push({ kind: 'rightsReduced', tokenId });
  }
  return { origin: payload.slice(0, at), events };
}

export function createReplicatedTokenEvents(bus: Pick<Notifications, 'listen' | 'onGap' | 'notify'>, options: ReplicatedTokenEventsOptions = {}): ReplicatedTokenEvents {
  const origin = options.origin ?? randomBytes(6).toString('base64url');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(origin)) throw new Error(`not a replica name: ${origin}`);
  const local = createTokenEvents();
  const send = options.send ?? ((payload: string) => bus.notify(CHANNELS.tokens, payload));
  const offMessage = bus.listen(CHANNELS.tokens, (payload) => {
    const parsed = parseTokenPayload(payload);
    if (!parsed || parsed.origin === origin) return;
    // First: a request authenticated from now on reads the token again (a demoted client that subscribes again at
    // once must get its new role, not a cached one), then the subscriptions end.
    if (parsed.events.length > 0) options.onHeard?.();
    for (const e of parsed.events) local[e.kind](e.tokenId);
  });
  const offGap = bus.onGap(() => {
    const watched = local.watched();
    if (watched.length === 0) return;
    for (const tokenId of watched) local.rightsReduced(tokenId);
    if (!options.isRevoked) return;
    options.isRevoked(watched).then(
      (revoked) => revoked.forEach((tokenId) => local.revoked(tokenId)),
      (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error))),
    );
  });
  return {
    origin,
    announce: (kind, tokenId) => send(tokenPayload(origin, kind, tokenId)),
    rightsReduced: (tokenId) => local.rightsReduced(tokenId),
    revoked: (tokenId) => local.revoked(tokenId),
    rightsReducedSignal: (tokenId) => local.rightsReducedSignal(tokenId),
    revokedSignal: (tokenId) => local.revokedSignal(tokenId),
    close() {
      offMessage();
      offGap();
    },
  };
}
