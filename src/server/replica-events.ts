/**
 * The order events and token events a cairn process uses, by its database: in-process on SQLite (one process), and
 * across every replica sharing the database on PostgreSQL (LISTEN/NOTIFY over the database's notifications:
 * src/engine/replicated-order-events.ts, src/auth/replicated-token-events.ts). The composition root makes one and
 * closes it before the database.
 */
import type { Logger } from 'pino';
import { createReplicatedTokenEvents } from '../auth/replicated-token-events.js';
import { createTokenEvents, type TokenEvents } from '../auth/token-events.js';
import type { Database } from '../db/database.js';
import { notificationsOf, type PostgresDatabase } from '../db/pg/database.js';
import { CHANNELS, type NotificationsStatus } from '../db/pg/notifications.js';
import type { Repositories } from '../db/repositories.js';
import { createOrderEvents, type OrderEvents } from '../engine/order-events.js';
import { createReplicatedOrderEvents } from '../engine/replicated-order-events.js';
import { safeError } from './safe-error.js';

export interface ReplicaEvents {
  orderEvents: OrderEvents;
  tokenEvents: TokenEvents;
  /** Token announcements heard from other replicas so far (part of the data version: cached token reads are dropped). */
  heard(): number;
  /** For /readyz's detail: the LISTEN connection's state on PostgreSQL; nothing on SQLite. */
  detail(): { notifications?: NotificationsStatus };
  /** Sends what is still queued (waiting at most `timeoutMs`, default 2 s), then stops listening. */
  close(timeoutMs?: number): Promise<void>;
}

export function createReplicaEvents(database: Database, deps: { logger: Logger; repos: Pick<Repositories, 'tokens'> }): ReplicaEvents {
  const notifications = notificationsOf(database);
  if (!notifications) return { orderEvents: createOrderEvents(), tokenEvents: createTokenEvents(), heard: () => 0, detail: () => ({}), close: async () => {} };
  let heard = 0;
  const { logger, repos } = deps;
  const warn = (what: string) => (error: Error) => logger.warn({ error: safeError(error) }, `${what} to the other replicas failed (tried again)`);
  const orderEvents = createReplicatedOrderEvents(notifications, { onError: warn('announcing order events') });
  const pgDatabase = database as PostgresDatabase;
  const tokenEvents = createReplicatedTokenEvents(notifications, {
    // Announced inside the revoking (or demoting) transaction: delivered at its commit.
    origin: pgDatabase.origin,
    send: (payload) => pgDatabase.announce(CHANNELS.tokens, payload),
    onError: (error) => logger.warn({ error: safeError(error) }, 'finding which tokens were revoked while the LISTEN connection was down failed'),
    onHeard: () => void (heard += 1),
    // After a lost LISTEN connection: which of the tokens with open subscriptions here were revoked meanwhile.
    isRevoked: async (ids) => {
      const rows = await Promise.all(ids.map((id) => repos.tokens.byId(id)));
      return ids.filter((_, i) => !rows[i] || rows[i]!.revokedAt !== null);
    },
  });
  notifications.onGap(() => logger.warn('the LISTEN connection to PostgreSQL was lost and made again: followers re-read what they follow'));
  return {
    orderEvents,
    tokenEvents,
    heard: () => heard,
    detail: () => ({ notifications: notifications.status() }),
    async close(timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([orderEvents.flushed(), late]);
      clearTimeout(timer);
      orderEvents.close();
      tokenEvents.close();
    },
  };
}
