/**
 * Fencing, through the fence the leadership gives the engine, on SQLite and on PostgreSQL: process A runs the
 * engine at epoch 1; its lease expires while it is paused and B takes over at epoch 2. A's next Kubernetes step
 * (`beforeApply`) and its next database write (`write`) are refused with LeaseLost, and nothing is written; told
 * so (`fenced`), A's leadership ends its term and logs it. A write in flight when B takes over is ordered before
 * the takeover: it commits, the takeover after it.
 *
 * The wall clock is the test's (A's leadership and B's takeover on it; on PostgreSQL the stores run on the
 * callers' clock for this), so a pause is a jump of the clock, not a wait.
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { createLeadership } from '../../../src/engine/leader/leadership.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import { eachDatabase, probes, until, writeProbe, type DatabaseUnderTest } from './each-database.js';

const TTL = 60_000; // the loop's own renewals stay out of the way: the test moves the wall clock instead

/** A's leadership over `database` on the test's clock, with an engine that counts its starts and stops. */
async function leaderA(under: DatabaseUnderTest, database: Database, clock: { now: number }) {
  const engine = { starts: 0, stops: 0 };
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const leadership = createLeadership({
    store: under.leaseStore(database, { clock: 'caller' }),
    holder: 'a',
    ttlMs: TTL,
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
    now: () => new Date(clock.now),
    engine: { start: () => void engine.starts++, stop: async () => void engine.stops++ },
  });
  under.defer(() => leadership.stop());
  await leadership.start();
  return { leadership, engine, logs };
}

eachDatabase('fencing the engine by the lease epoch', (under) => {
  it('B takes over while A is paused: A sends no Kubernetes step and writes nothing, and its term ends', async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const clock = { now: Date.now() };
    const a = await leaderA(under, first, clock);
    expect(a.leadership.status()).toMatchObject({ leader: true, holder: 'a', epoch: 1 });
    await a.leadership.fence.beforeApply();
    await a.leadership.fence.write(() => writeProbe(first, 1));
    // A pauses past its lease (its own deadline is on the monotonic clock, which did not move): B takes over.
    clock.now += TTL + 1_000;
    expect(await under.leaseStore(second, { clock: 'caller' }).acquireOrRenew('b', TTL, new Date(clock.now), null)).toMatchObject({ leader: true, epoch: 2 });
    // A wakes: the stored lease names B, so its step is refused before it reaches the cluster…
    const step = a.leadership.fence.beforeApply();
    await expect(step).rejects.toThrow(LeaseLost);
    await expect(step).rejects.toMatchObject({ code: 'LEASE_LOST', holder: 'a', epoch: 1 });
    // …and so is its write, which writes nothing.
    const write = a.leadership.fence.write(() => writeProbe(first, 2));
    await expect(write).rejects.toMatchObject({ code: 'LEASE_LOST', holder: 'a', epoch: 1, reason: 'b holds it at epoch 2' });
    expect(await probes(first)).toEqual([1]);
    // The engine tells the leadership: the term is over, the engine stops, the change is logged.
    a.leadership.fenced((await write.catch((e: unknown) => e)) as LeaseLost);
    expect(a.leadership.status()).toMatchObject({ leader: false, holder: 'a' });
    await until('a stops its engine', () => (a.engine.stops === 1 ? true : undefined), 2000);
    expect(a.logs.filter((l) => l.msg === 'engine leadership lost').at(-1)).toMatchObject({ holder: 'a', epoch: 1, reason: 'b holds it at epoch 2' });
  });

  it('a write in flight when B takes over commits before the takeover; the next one is refused', async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const clock = { now: Date.now() };
    const a = await leaderA(under, first, clock);
    let open = () => {};
    let inside = () => {};
    const gate = new Promise<void>((done) => (open = done));
    const entered = new Promise<void>((done) => (inside = done));
    const writing = a.leadership.fence.write(async () => {
      await writeProbe(first, 1);
      inside();
      await gate;
      return 'committed';
    });
    await entered;
    clock.now += TTL + 1_000;
    const b = under.leaseStore(second, { clock: 'caller' });
    let settled = false;
    // SQLite: the open write holds the file's write lock, and the takeover waits for it (retrying between turns of the
    // event loop); PostgreSQL: its UPDATE waits for the lease row's lock.
    const takeover = b.acquireOrRenew('b', TTL, new Date(clock.now), null).finally(() => (settled = true));
    if (under.kind === 'sqlite') {
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    } else {
      await until('the takeover to be held off', async () => {
        const { rows } = await first.pool!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        return rows[0]!.n > 0 ? true : undefined;
      });
    }
    expect(settled).toBe(false);
    open();
    expect(await writing).toBe('committed');
    expect(await takeover).toMatchObject({ leader: true, holder: 'b', epoch: 2 });
    await expect(a.leadership.fence.write(() => writeProbe(first, 2))).rejects.toMatchObject({ code: 'LEASE_LOST', reason: 'b holds it at epoch 2' });
    expect(await probes(first)).toEqual([1]);
  });
});
