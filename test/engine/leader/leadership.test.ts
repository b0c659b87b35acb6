/**
 * The leadership loop on one database (two loops standing for two processes, each on its own connections), with a
 * short lease (300 ms; 1.2 s on PostgreSQL), on SQLite and on PostgreSQL (where the lease's clock is the server's).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLeadership, holderId } from '../../../src/engine/leader/leadership.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import type { LeaseStore } from '../../../src/engine/leader/lease-store.js';
import { eachDatabase, probes, until, writeProbe, type DatabaseUnderTest } from './each-database.js';

/** The lease's term: short, so renewals and takeovers come quickly; on PostgreSQL long enough that a renewal's few round trips (awaited at most ttl / 3) fit under load. */
const ttlOf = (under: DatabaseUnderTest) => (under.kind === 'sqlite' ? 300 : 1_200);

/** A loop over `store` whose engine counts its starts and stops, and whose log lines are kept; stopped after the test. */
function loop(under: DatabaseUnderTest, store: LeaseStore, holder: string) {
  const engine = { starts: 0, stops: 0 };
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const leadership = createLeadership({
    store,
    holder,
    ttlMs: ttlOf(under),
    logger,
    engine: {
      start: () => void engine.starts++,
      stop: async () => void engine.stops++,
    },
  });
  under.defer(() => leadership.stop());
  return { leadership, engine, logs };
}

eachDatabase('engine leadership loop', (under) => {
  const TTL = ttlOf(under);
  it('the first process leads and starts its engine; the second follows; a graceful stop hands over at once', async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const attempts = new Map<string, number>();
    const counted = (store: LeaseStore): LeaseStore => ({
      ...store,
      acquireOrRenew: (holder, ...rest) => (attempts.set(holder, (attempts.get(holder) ?? 0) + 1), store.acquireOrRenew(holder, ...rest)),
    });
    const a = loop(under, counted(under.leaseStore(first)), 'a');
    const b = loop(under, counted(under.leaseStore(second)), 'b');
    await a.leadership.start();
    await b.leadership.start();
    expect(a.engine).toEqual({ starts: 1, stops: 0 });
    expect(b.engine).toEqual({ starts: 0, stops: 0 });
    expect(a.logs.filter((l) => l.msg === 'engine leadership acquired')).toMatchObject([{ holder: 'a', epoch: 1 }]);
    expect(a.leadership.status()).toMatchObject({ leader: true, holder: 'a', epoch: 1, leaderHolder: 'a' });
    expect(b.leadership.status()).toMatchObject({ leader: false, holder: 'b', epoch: 1, leaderHolder: 'a' });
    // Renewals keep the term: after several ttl/3 periods, still one start, epoch 1.
    await until('several renewals', () => ((attempts.get('a') ?? 0) >= 6 && (attempts.get('b') ?? 0) >= 6 ? true : undefined), TTL * 20);
    expect(a.engine).toEqual({ starts: 1, stops: 0 });
    expect(b.engine.starts).toBe(0);
    expect((await under.leaseStore(first).read())?.epoch).toBe(1);

    await a.leadership.stop();
    expect(a.engine).toEqual({ starts: 1, stops: 1 });
    expect(a.logs.at(-1)).toMatchObject({ msg: 'engine leadership released', epoch: 1 });
    await until('b takes over', () => (b.engine.starts === 1 ? true : undefined), TTL * 10);
    expect(b.leadership.status()).toMatchObject({ leader: true, epoch: 2 });
  });

  it("another holder took the lease (a's expired while it stalled): a stops its engine at its next attempt, logs it, and its fence refuses", async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const a = loop(under, under.leaseStore(first), 'a');
    await a.leadership.start();
    await a.leadership.fence.write(() => writeProbe(first, 1));
    await a.leadership.fence.beforeApply();
    // b takes the lease from under a, as if a's lease had expired: b's clock is set to the stored expiry (on
    // PostgreSQL a store on the callers' clock stands in for it). a renews meanwhile: b tries until it wins.
    const b = under.leaseStore(second, { clock: 'caller' });
    await until('b to take over', async () => {
      const row = (await b.read())!;
      const state = await b.acquireOrRenew('b', 60_000, row.expiresAt, null);
      return state.leader ? state : undefined;
    });
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), TTL * 10);
    expect(a.logs.find((l) => l.msg === 'engine leadership lost')).toMatchObject({ holder: 'a', epoch: 1, reason: expect.stringMatching(/^b holds the lease at epoch \d+$/) });
    expect(a.leadership.status()).toMatchObject({ leader: false, leaderHolder: 'b' });
    await expect(a.leadership.fence.write(() => writeProbe(first, 2))).rejects.toThrow(LeaseLost);
    await expect(a.leadership.fence.beforeApply()).rejects.toThrow(LeaseLost);
    expect(await probes(first)).toEqual([1]);
    expect(a.engine.starts).toBe(1);
  });

  it('a renewal that never answers: the term ends at its deadline (the engine stops), not when the store answers', async () => {
    const first = await under.fresh();
    const store = under.leaseStore(first);
    let hang = false;
    const hanging: LeaseStore = { ...store, acquireOrRenew: (...args) => (hang ? new Promise(() => {}) : store.acquireOrRenew(...args)) };
    const a = loop(under, hanging, 'a');
    await a.leadership.start();
    expect(await a.leadership.fence.write(async () => 'written')).toBe('written');
    hang = true;
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), TTL * 10);
    const lost = a.logs.find((l) => l.msg === 'engine leadership lost')!;
    expect(String(lost.reason)).toMatch(/expired/);
    await expect(a.leadership.fence.write(async () => 'written')).rejects.toThrow(LeaseLost);
    await expect(a.leadership.fence.beforeApply()).rejects.toThrow(LeaseLost);
    // The store answers again: the next attempt takes a new term (epoch 2), the engine starts again.
    hang = false;
    await until('a leads again', () => (a.engine.starts === 2 ? true : undefined), TTL * 10);
    expect(a.leadership.status()).toMatchObject({ leader: true, epoch: 2 });
  });

  it('a LeaseLost met by the engine ends the term at once', async () => {
    const first = await under.fresh();
    const a = loop(under, under.leaseStore(first), 'a');
    await a.leadership.start();
    a.leadership.fenced(new LeaseLost('a', 1, 'b holds it at epoch 2'));
    expect(a.leadership.status().leader).toBe(false);
    await expect(a.leadership.fence.write(async () => 'written')).rejects.toThrow(LeaseLost);
    await until('a stops', () => (a.engine.stops === 1 ? true : undefined), TTL * 10);
    expect(a.logs.find((l) => l.msg === 'engine leadership lost')).toMatchObject({ epoch: 1, reason: 'b holds it at epoch 2' });
  });
});

describe('holder ids', () => {
  it('name the host, the process and a random part', () => {
    const id = holderId('web-1');
    expect(id).toMatch(new RegExp(`^web-1/${process.pid}/[0-9a-f]{8}$`));
    expect(holderId('web-1')).not.toBe(id);
  });
});
