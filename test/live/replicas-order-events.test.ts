/**
 * Replicated order events over an in-memory stand-in for LISTEN/NOTIFY (delivery in send order to every listener,
 * the sender's own included, as PostgreSQL does): the numbering rules without a database. The same over a real
 * PostgreSQL: test/pg/replicas-notifications.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Notifications } from '../../src/db/pg/notifications.js';
import { createReplicatedOrderEvents } from '../../src/engine/replicated-order-events.js';

/** One database's notifications, shared by the replicas made on it. */
function memoryBus() {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const gaps = new Set<() => void>();
  let chain = Promise.resolve();
  const bus: Pick<Notifications, 'listen' | 'onGap' | 'notify'> = {
    listen(channel, handler) {
      if (!handlers.has(channel)) handlers.set(channel, new Set());
      handlers.get(channel)!.add(handler);
      return () => void handlers.get(channel)!.delete(handler);
    },
    onGap(handler) {
      gaps.add(handler);
      return () => void gaps.delete(handler);
    },
    notify(channel, payload) {
      chain = chain.then(() => [...(handlers.get(channel) ?? [])].forEach((h) => h(payload)));
      return chain;
    },
  };
  return { bus, gap: () => [...gaps].forEach((g) => g()) };
}

function recorder(events: ReturnType<typeof createReplicatedOrderEvents>, orderId: number) {
  const seen: number[] = [];
  events.listen(orderId, (s) => seen.push(s));
  return seen;
}

describe('replicated order events', () => {
  it('a new leader that heard the events goes on with their numbers; every replica numbers alike', async () => {
    const { bus } = memoryBus();
    const [a, b, c] = ['a', 'b', 'c'].map((origin) => createReplicatedOrderEvents(bus, { origin }));
    const [onA, onB, onC] = [a, b, c].map((r) => recorder(r!, 1));
    a!.publish(1);
    a!.publish(1);
    await a!.flushed();
    b!.publish(1); // the leader moved to b
    await b!.flushed();
    expect([onA, onB, onC]).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('a fresh leader that heard nothing: its events still reach the others once each, numbered on from theirs', async () => {
    const { bus } = memoryBus();
    const a = createReplicatedOrderEvents(bus, { origin: 'a' });
    const b = createReplicatedOrderEvents(bus, { origin: 'b' });
    const onB = recorder(b, 1);
    for (let i = 0; i < 3; i += 1) a.publish(1);
    await a.flushed();
    a.close(); // a is gone; c starts afresh and leads
    const c = createReplicatedOrderEvents(bus, { origin: 'c' });
    c.publish(1);
    c.publish(1);
    await c.flushed();
    expect(onB).toEqual([1, 2, 3, 4, 5]);
    expect(c.sequence(1)).toBe(2); // its own numbers: lower, but growing
  });

  it('a repeated notification is told once; after a gap the listeners are told again with the number they had', async () => {
    const { bus, gap } = memoryBus();
    const b = createReplicatedOrderEvents(bus, { origin: 'b' });
    const onB = recorder(b, 4);
    await bus.notify('cairn_orders', 'a;4.1,4.2');
    await bus.notify('cairn_orders', 'a;4.2');
    gap();
    await bus.notify('cairn_orders', 'a;4.7');
    expect(onB).toEqual([1, 2, 2, 7]);
  });
});
