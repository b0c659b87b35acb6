import type { Repositories } from '../db/repositories.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { EnvironmentRow } from '../db/tables.js';
import { createEventQueue } from '../kube/event-queue.js';
import type { EnvironmentObservation } from '../kube/workloads-types.js';
import type { OrderEvents } from './order-events.js';

/** How long after a failed read the order is read again. */
const RETRY_READ_MS = 1_000;

/** One change of an order, its batches or their instances. */
export interface OrderUpdate {
  /** Rises with every update of one subscription, following the engine's number for the order's changes; a jump means merged changes. */
  sequence: number;
  order: ReleaseOrderRow;
}

export interface OrderUpdateSources {
  repos: Repositories;
  events: OrderEvents;
  observe(environment: EnvironmentRow): Promise<EnvironmentObservation | null>;
}

/** What a subscriber sees of an order: its stored state and its instances' states. */
function fingerprint(order: ReleaseOrderRow, observation: EnvironmentObservation | null): string {
  const pods = (observation?.instances ?? [])
    .map((p) => [p.name, p.revision, p.ready, p.terminating, p.restarts, p.phase, p.failure?.reason ?? null])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return JSON.stringify([order.version, pods]);
}

/**
 * The order's current state first, then one update each time the order, its batches or their
 * instances change. Ends when the subscriber leaves (`return()`), or at once when the order does not exist.
 */
export function orderUpdates(sources: OrderUpdateSources, orderId: number): AsyncIterableIterator<OrderUpdate> {
  let closed = false;
  let running = false;
  let again = false;
  let last = '';
  let sent = 0;
  const queue = createEventQueue<OrderUpdate>(() => {
    closed = true;
    unlisten();
  });
  const unlisten = sources.events.listen(orderId, () => void check());

  async function check(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const order = await sources.repos.releases.order(orderId);
        if (!order) {
          void queue.return?.();
          return;
        }
        const env = (await sources.repos.apps.environmentsByIds([order.environmentId]))[0];
        const observation = env ? await sources.observe(env) : null;
        const fp = fingerprint(order, observation);
        if (fp !== last && !closed) {
          last = fp;
          // Strictly rising for each subscriber: the events' own number when it is ahead, else one past the last sent —
          // a replica that heard nothing yet (0), or a new leader that numbers on from the last number it heard, would
          // otherwise hand a subscriber the same number twice.
          sent = Math.max(sent + 1, sources.events.sequence(orderId));
          queue.push({ sequence: sent, order });
        }
      } while (again && !closed);
    } catch {
      // The database or the cluster could not be read (a busy database, one closing): a subscriber never sees a
      // half-read state, and no rejection is left unhandled. The order is read again a moment later — the signal
      // that failed may be its last (a finished order sends no more).
      if (!closed) setTimeout(() => void check(), RETRY_READ_MS).unref();
    } finally {
      running = false;
    }
  }
  void check();
  return queue;
}
