/** The order events' numbers: rising per order, and forgotten for orders nobody listens to once there are too many. */
import { describe, expect, it } from 'vitest';
import { createOrderEvents, forgetUnheard } from '../../src/engine/order-events.js';
import { createReplicatedOrderEvents } from '../../src/engine/replicated-order-events.js';

/** A bus that hears nothing and sends nowhere (the replicated events' own bookkeeping only). */
const quietBus = { listen: () => () => {}, onGap: () => () => {}, notify: async () => {} };

describe('order events', () => {
  it('number each order\'s signals from 1 and tell its listeners', () => {
    const events = createOrderEvents();
    const heard: number[] = [];
    const off = events.listen(7, (n) => heard.push(n));
    events.publish(7);
    events.publish(7);
    events.publish(8);
    off();
    events.publish(7);
    expect(heard).toEqual([1, 2]);
    expect([events.sequence(7), events.sequence(8), events.sequence(9)]).toEqual([3, 1, 0]);
  });

  it('keep the numbers of a bounded number of orders nobody listens to, and always those someone does', () => {
    for (const events of [createOrderEvents({ maxUnheard: 10 }), createReplicatedOrderEvents(quietBus, { maxUnheard: 10 })]) {
      const off = events.listen(1, () => {});
      events.publish(1);
      events.publish(1);
      for (let id = 2; id <= 40; id++) events.publish(id);
      expect(events.sequence(1)).toBe(2); // listened to: kept, however old
      expect(events.sequence(40)).toBe(1); // the newest are kept
      const kept = Array.from({ length: 40 }, (_, i) => i + 1).filter((id) => events.sequence(id) > 0);
      expect(kept.length).toBeLessThanOrEqual(11);
      expect(events.sequence(2)).toBe(0); // forgotten: numbers from 0 again
      off();
      if ('close' in events && typeof events.close === 'function') (events.close as () => void)();
    }
  });

  it('forgetUnheard drops the oldest unlistened entries of every map, down to half the bound', () => {
    const a = new Map<number, string>(Array.from({ length: 12 }, (_, i) => [i + 1, 'x']));
    const b = new Map<number, string>([[1, 'y'], [2, 'y'], [12, 'y']]);
    forgetUnheard([a, b], (id) => id === 1, 10);
    expect([...a.keys()]).toEqual([1, 9, 10, 11, 12]);
    expect([...b.keys()]).toEqual([1, 12]);
    forgetUnheard([a, b], () => false, 10); // within the bound: nothing happens
    expect(a.size).toBe(5);
  });
});
