/**
 * How the leader hears of orders another process wrote (a resume, retry, rollback or a new order submitted on a
 * follower), over SQLite: every `intervalMs` it reads a change counter — SQLite's `PRAGMA data_version`, which
 * moves only when ANOTHER connection committed — and when it moved, wakes each active order whose version it has
 * not seen. Its own writes do not move the counter; a follower's lease attempts write nothing unless they win.
 * Without it a follower-written order waits for the resync timer (CAIRN_RELEASE_RESYNC_INTERVAL_MS).
 * PostgreSQL replaces the poll with LISTEN/NOTIFY.
 */
import type { ReleaseOrderRow } from '../../db/release-tables.js';

export interface ChangePollOptions {
  /** The change counter: any other connection's commit changes it. */
  changes(): number;
  /** The orders in progress (read only when the counter moved). */
  activeOrders(): Pick<ReleaseOrderRow, 'id' | 'version'>[];
  wake(orderId: number): void;
  intervalMs: number;
}

export interface ChangePoll {
  start(): void;
  stop(): void;
  /** One look now (the timer calls it): returns the orders woken. */
  poll(): number[];
}

/** How often the leader looks at the change counter by default: a follower's write reaches it within this. */
export const CHANGE_POLL_MS = 200;

export function createChangePoll(options: ChangePollOptions): ChangePoll {
  let timer: NodeJS.Timeout | null = null;
  let counter = -1;
  /** The version of each active order last seen (the engine's own writes move them too: those wake a pass that finds nothing new). */
  let seen = new Map<number, number>();
  const remember = () => {
    counter = options.changes();
    seen = new Map(options.activeOrders().map((o) => [o.id, o.version]));
  };
  const poll = (): number[] => {
    const now = options.changes();
    if (now === counter) return [];
    counter = now;
    const orders = options.activeOrders();
    const woken = orders.filter((o) => seen.get(o.id) !== o.version).map((o) => o.id);
    seen = new Map(orders.map((o) => [o.id, o.version]));
    for (const id of woken) options.wake(id);
    return woken;
  };
  return {
    start() {
      if (timer) return;
      remember();
      timer = setInterval(poll, options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    poll,
  };
}
