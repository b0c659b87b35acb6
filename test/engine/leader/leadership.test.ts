/** The leadership loop on one database (two loops standing for two processes), with a short lease (300 ms). */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../../src/db/client.js';
import { createLeadership, holderId, type Leadership } from '../../../src/engine/leader/leadership.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import type { LeaseStore } from '../../../src/engine/leader/lease-store.js';
import { createSqliteLeaseStore } from '../../../src/engine/leader/sqlite-lease-store.js';
import { until } from '../../e2e/harness.js';

const TTL = 300;
const opened: OpenDatabase[] = [];
const loops: Leadership[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.stop();
  for (const d of opened.splice(0)) d.close();
});

function setUp() {
  const database = openDatabase(':memory:');
  opened.push(database);
  return createSqliteLeaseStore(database.db);
}

/** A loop over `store` whose engine counts its starts and stops, and whose log lines are kept. */
function loop(store: LeaseStore, holder: string) {
  const engine = { starts: 0, stops: 0 };
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const leadership = createLeadership({
    store,
    holder,
    ttlMs: TTL,
    logger,
    engine: {
      start: () => void engine.starts++,
      stop: async () => void engine.stops++,
    },
  });
  loops.push(leadership);
  return { leadership, engine, logs };
}

describe('engine leadership loop', () => {
  it('the first process leads and starts its engine; the second follows; a graceful stop hands over at once', async () => {
    const plain = setUp();
    const attempts = new Map<string, number>();
    const store: LeaseStore = { ...plain, acquireOrRenew: (holder, ...rest) => (attempts.set(holder, (attempts.get(holder) ?? 0) + 1), plain.acquireOrRenew(holder, ...rest)) };
    const a = loop(store, 'a');
    const b = loop(store, 'b');
    await a.leadership.start();
    await b.leadership.start();
    expect(a.engine).toEqual({ starts: 1, stops: 0 });
    expect(b.engine).toEqual({ starts: 0, stops: 0 });
    expect(a.logs.filter((l) => l.msg === 'engine leadership acquired')).toMatchObject([{ holder: 'a', epoch: 1 }]);
    expect(a.leadership.status()).toMatchObject({ leader: true, holder: 'a', epoch: 1, leaderHolder: 'a' });
    expect(b.leadership.status()).toMatchObject({ leader: false, holder: 'b', epoch: 1, leaderHolder: 'a' });
    // Renewals keep the term: after several ttl/3 periods, still one start, epoch 1.
    await until('several renewals', () => ((attempts.get('a') ?? 0) >= 6 && (attempts.get('b') ?? 0) >= 6 ? true : undefined), 5000);
    expect(a.engine).toEqual({ starts: 1, stops: 0 });
    expect(b.engine.starts).toBe(0);
    expect((await store.read())?.epoch).toBe(1);

    await a.leadership.stop();
    expect(a.engine).toEqual({ starts: 1, stops: 1 });
    expect(a.logs.at(-1)).toMatchObject({ msg: 'engine leadership released', epoch: 1 });
    await until('b takes over', () => (b.engine.starts === 1 ? true : undefined), 2000);
    expect(b.leadership.status()).toMatchObject({ leader: true, epoch: 2 });
  });

  it("another holder took the lease (a's expired while it stalled): a stops its engine at its next attempt and logs it", async () => {
    const store = setUp();
    const a = loop(store, 'a');
    await a.leadership.start();
    // b takes the lease from under a (as if a's lease had expired): the stored row names b at epoch 2.
    const row = (await store.read())!;
    const later = new Date(row.expiresAt.getTime());
    expect(await store.acquireOrRenew('b', 60_000, later, null)).toMatchObject({ leader: true, epoch: 2 });
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), 2000);
    expect(a.logs.find((l) => l.msg === 'engine leadership lost')).toMatchObject({ holder: 'a', epoch: 1, reason: 'b holds the lease at epoch 2' });
    expect(a.leadership.status()).toMatchObject({ leader: false, epoch: 2, leaderHolder: 'b' });
    expect(() => a.leadership.fence.write(() => 1)).toThrow(LeaseLost);
    expect(() => a.leadership.fence.beforeApply()).toThrow(LeaseLost);
    expect(a.engine.starts).toBe(1);
  });

  it('a renewal that never answers: the term ends at its deadline (the engine stops), not when the store answers', async () => {
    const store = setUp();
    let hang = false;
    const hanging: LeaseStore = { ...store, acquireOrRenew: (...args) => (hang ? new Promise(() => {}) : store.acquireOrRenew(...args)) };
    const a = loop(hanging, 'a');
    await a.leadership.start();
    expect(a.leadership.fence.write(() => 'written')).toBe('written');
    hang = true;
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), 2000);
    const lost = a.logs.find((l) => l.msg === 'engine leadership lost')!;
    expect(String(lost.reason)).toMatch(/expired/);
    expect(() => a.leadership.fence.write(() => 'written')).toThrow(LeaseLost);
    // The store answers again: the next attempt takes a new term (epoch 2), the engine starts again.
    hang = false;
    await until('a leads again', () => (a.engine.starts === 2 ? true : undefined), 3000);
    expect(a.leadership.status()).toMatchObject({ leader: true, epoch: 2 });
  });

  it('a LeaseLost met by the engine ends the term at once', async () => {
    const store = setUp();
    const a = loop(store, 'a');
    await a.leadership.start();
    a.leadership.fenced(new LeaseLost('a', 1, 'b holds it at epoch 2'));
    expect(a.leadership.status().leader).toBe(false);
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), 1000);
    expect(a.logs.find((l) => l.msg === 'engine leadership lost')).toMatchObject({ epoch: 1, reason: 'b holds it at epoch 2' });
  });

  it('holder ids name the host, the process and a random part', () => {
    const id = holderId('web-1');
    expect(id).toMatch(new RegExp(`^web-1/${process.pid}/[0-9a-f]{8}$`));
    expect(holderId('web-1')).not.toBe(id);
  });
});
