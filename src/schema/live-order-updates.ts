/**
 * `releaseOrderUpdated`'s source, shared: one stream of a release order's updates in the hub however
 * many follow it (rather than one check of the order and its instances per subscriber and change), so
 * every follower gets the same update object and the fan-out executes it once per group. A follower
 * gets the latest update first (the order's current state), then each new one; one that falls too far
 * behind gets the latest again (the `sequence` jump tells it that changes were merged).
 */
import type { OrderUpdate } from '../engine/order-updates.js';
import type { StreamSource } from '../live/hub.js';
import type { Context } from './context.js';

function orderUpdatesSource(ctx: Pick<Context, 'releases'>, orderId: number): StreamSource<OrderUpdate, OrderUpdate | null> {
  let latest: OrderUpdate | null = null;
  return {
    start(publish) {
      const updates = ctx.releases.updates(orderId);
      let markReady!: () => void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      void (async () => {
        for await (const u of updates) {
          const first = latest === null;
          latest = u;
          if (first) markReady();
          else publish(u);
        }
        markReady(); // the order is gone: followers end
      })().catch(() => markReady());
      return { ready, stop: () => void updates.return?.() };
    },
    snapshot: () => latest,
  };
}

/** A follower of the order's shared updates: the latest first, then each new one. */
export function sharedOrderUpdates(ctx: Pick<Context, 'releases' | 'live'>, orderId: number): AsyncIterableIterator<OrderUpdate> {
  const source = ctx.live.hub.subscribe(`order-updates:${orderId}`, () => orderUpdatesSource(ctx, orderId));
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const iterator: AsyncIterableIterator<OrderUpdate> = {
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done) return done;
        const d = r.value;
        if (d.type === 'event') return { done: false, value: d.event };
        if (d.type === 'snapshot') {
          if (d.snapshot === null) {
            await source.return?.();
            return done;
          }
          return { done: false, value: d.snapshot };
        }
      }
    },
    return: async () => {
      await source.return?.();
      return done;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
