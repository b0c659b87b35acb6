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
      expect(events.sequence(40)).toBeGreaterThan(0); // the newest are kept (numbered above what was forgotten)
      const kept = Array.from({ length: 40 }, (_, i) => i + 1).filter((id) => events.sequence(id) > 0);
      expect(kept.length).toBeLessThanOrEqual(11);
      expect(events.sequence(2)).toBe(0); // forgotten: numbers from 0 again
      off();
      if ('close' in events && typeof events.close === 'function') (events.close as () => void)();
    }
  });

  it('forgetUnheard drops the oldest unlistened numbers (and the same orders\' other entries), down to half the bound, and says the highest', () => {
    const sequences = new Map<number, number>(Array.from({ length: 12 }, (_, i) => [i + 1, 100 - i]));
    const other = new Map<number, string>([[1, 'y'], [2, 'y'], [12, 'y']]);
    expect(forgetUnheard(sequences, [other], (id) => id === 1, 10)).toBe(99); // 2..8 forgotten: 99 … 93
    expect([...sequences.keys()]).toEqual([1, 9, 10, 11, 12]);
    expect([...other.keys()]).toEqual([1, 12]);
    expect(forgetUnheard(sequences, [other], () => false, 10)).toBe(0); // within the bound: nothing happens
    expect(sequences.size).toBe(5);
  });

  it('a forgotten order numbers on from above every number forgotten: a replica still following it hears the next one', () => {
    const listeners = new Set<(payload: string) => void>();
    const bus = {
      listen: (_channel: string, handler: (payload: string) => void) => (listeners.add(handler), () => listeners.delete(handler)),
      onGap: () => () => {},
      notify: async (_channel: string, payload: string) => listeners.forEach((l) => l(payload)),
    };
    const leader = createReplicatedOrderEvents(bus, { origin: 'leader', maxUnheard: 4 });
    const follower = createReplicatedOrderEvents(bus, { origin: 'follower' });
    const heard: number[] = [];
    const off = follower.listen(7, (n) => heard.push(n));
    for (let i = 0; i < 5; i++) leader.publish(7);
    return leader
      .flushed()
      .then(async () => {
        for (let id = 100; id < 118; id++) leader.publish(id); // the leader forgets order 7 (nobody listens to it there)
        expect(leader.sequence(7)).toBe(0);
        leader.publish(7);
        leader.publish(7);
        await leader.flushed();
        expect(heard).toHaveLength(7); // 1 … 5, then the two after it was forgotten, none skipped
        expect(heard.every((n, i) => i === 0 || n > heard[i - 1]!)).toBe(true);
      })
      .finally(() => {
        off();
        leader.close();
        follower.close();
      });
  });
});
