/**
 * How the leader hears of orders another process wrote (a resume, retry, rollback or a new order submitted on a
 * follower): every `intervalMs` it reads the database's change counter — SQLite's `PRAGMA data_version`, which
 * moves only when ANOTHER connection committed; on PostgreSQL, the count of other replicas' commit notifications
 * (src/db/pg/database.ts) — and when it moved, wakes each active order whose version it has not seen. Its own writes do not move the counter; a follower's lease attempts write nothing unless they win.
 * Without it a follower-written order waits for the resync timer (CAIRN_RELEASE_RESYNC_INTERVAL_MS).
 */
import type { ReleaseOrderRow } from '../../db/release-tables.js';

export interface ChangePollOptions {
  /** The change counter: any other connection's commit changes it (`database.changeCounter`). */
  changes(): number;
  /** The orders in progress (read only when the counter moved). */
  activeOrders(): Promise<Pick<ReleaseOrderRow, 'id' | 'version'>[]>;
  wake(orderId: number): void;
  intervalMs: number;
  /** Told when a look failed (the database busy): the next look tries again. */
  onError?(error: unknown): void;
}

export interface ChangePoll {
  /** Starts looking every `intervalMs` (the first look, which only remembers where things stand, begins now). */
  start(): void;
  stop(): void;
  /** One look now, after any look in flight (the timer calls it, skipping a turn while one runs): resolves with the orders woken. */
  poll(): Promise<number[]>;
}

/** How often the leader looks at the change counter by default: a follower's write reaches it within this. */
export const CHANGE_POLL_MS = 200;

export function createChangePoll(options: ChangePollOptions): ChangePoll {
  let timer: NodeJS.Timeout | null = null;
  let counter = -1;
  /** The version of each active order last seen (the engine's own writes move them too: those wake a pass that finds nothing new). */
  let seen = new Map<number, number>();
  /** The look in flight (or the last one): looks run one at a time, in order. */
  let looking: Promise<void> = Promise.resolve();
  let busy = false;

  const remember = async () => {
    const at = options.changes();
    const orders = await options.activeOrders();
    counter = at;
    seen = new Map(orders.map((o) => [o.id, o.version]));
  };
  const look = async (): Promise<number[]> => {
    // Read before the orders: a commit landing while they are read moves the counter again, so the next look reads them again.
    const now = options.changes();
    if (now === counter) return [];
    const orders = await options.activeOrders();
    counter = now;
    const woken = orders.filter((o) => seen.get(o.id) !== o.version).map((o) => o.id);
    seen = new Map(orders.map((o) => [o.id, o.version]));
    for (const id of woken) options.wake(id);
    return woken;
  };
  const queue = <T>(step: () => Promise<T>): Promise<T> => {
    const next = looking.then(step);
    const done = next.then(
      () => undefined,
      () => undefined,
    );
    looking = done;
    busy = true;
    void done.then(() => {
      if (looking === done) busy = false;
    });
    return next;
  };
  const fail = (error: unknown) => options.onError?.(error);
  return {
    start() {
      if (timer) return;
      queue(remember).catch(fail);
      timer = setInterval(() => {
        if (!busy) queue(look).catch(fail);
      }, options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    poll: () => queue(look),
  };
}
