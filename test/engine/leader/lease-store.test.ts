/**
 * The engine lease stores, on SQLite and on PostgreSQL: two holders on one database (two handles, as two
 * processes), fenced writes, a fenced write in flight against a takeover, two racing processes, and the
 * PostgreSQL store's clock (the server's).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import { eachDatabase, probes, until, writeProbe } from './each-database.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

const T = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T + ms);

/** A gate a fenced write waits on inside its transaction, and the moment it got there. */
function gate() {
  let open = () => {};
  let inside = () => {};
  const opened = new Promise<void>((done) => (open = done));
  const entered = new Promise<void>((done) => (inside = done));
  return { open, entered, pass: async () => (inside(), await opened) };
}

/** How many sessions on `database` wait for a row lock (its server is shared with other test files). */
async function lockWaiters(database: Database): Promise<number> {
  const { rows } = await database.pool!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
  return rows[0]!.n;
}

/** The PostgreSQL server's clock, in Unix milliseconds. */
async function serverMs(database: Database): Promise<number> {
  const { rows } = await database.pool!.query<{ ms: number }>(`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms`);
  return rows[0]!.ms;
}

eachDatabase('engine lease store', (under) => {
  /** Two processes' stores on one fresh database; on PostgreSQL on the callers' clock, so the test can script time. */
  async function twoHolders() {
    const first = await under.fresh();
    const second = await under.another(first);
    return { first, second, a: under.leaseStore(first, { clock: 'caller' }), b: under.leaseStore(second, { clock: 'caller' }) };
  }

  it('one holder at a time: the first takes epoch 1, the other follows, renewals keep the epoch, a takeover after expiry raises it', async () => {
    const { a, b } = await twoHolders();
    expect(await a.read()).toBeNull();
    expect(await a.acquireOrRenew('a', 1000, at(0), null)).toEqual({ leader: true, decision: 'ACQUIRE', holder: 'a', epoch: 1, expiresAt: at(1000) });
    expect(await b.acquireOrRenew('b', 1000, at(10), null)).toEqual({ leader: false, decision: 'FOLLOW', holder: 'a', epoch: 1, expiresAt: at(1000) });
    expect(await a.acquireOrRenew('a', 1000, at(500), 1)).toEqual({ leader: true, decision: 'RENEW', holder: 'a', epoch: 1, expiresAt: at(1500) });
    expect(await b.acquireOrRenew('b', 1000, at(1499), null)).toMatchObject({ leader: false, holder: 'a' });
    // a stops renewing: at its expiry b takes over, at epoch 2; a learns it lost.
    expect(await b.acquireOrRenew('b', 1000, at(1500), null)).toEqual({ leader: true, decision: 'ACQUIRE', holder: 'b', epoch: 2, expiresAt: at(2500) });
    expect(await a.acquireOrRenew('a', 1000, at(1600), 1)).toEqual({ leader: false, decision: 'LOST', holder: 'b', epoch: 2, expiresAt: at(2500) });
    expect(await a.holds('a', 1, at(1600))).toBe(false);
    expect(await b.holds('b', 2, at(1600))).toBe(true);
    expect(await b.holds('b', 2, at(2500))).toBe(false); // expired
    // Released: expires now, the other takes it at once.
    await b.release('b', 2, at(1700));
    expect(await a.acquireOrRenew('a', 1000, at(1700), null)).toMatchObject({ leader: true, decision: 'ACQUIRE', epoch: 3 });
    // A release by a holder that lost the lease changes nothing.
    await b.release('b', 2, at(1800));
    expect(await a.read()).toEqual({ holder: 'a', epoch: 3, expiresAt: at(2700) });
  });

  it('a fenced write runs only while the row names the writer at its epoch; otherwise LeaseLost and nothing is written', async () => {
    const { first, second, a, b } = await twoHolders();
    await a.acquireOrRenew('a', 1000, at(0), null);
    expect(await a.fenced('a', 1, async () => (await writeProbe(first, 1), 'written'))).toBe('written');
    await b.acquireOrRenew('b', 1000, at(1000), null); // a expired: b at epoch 2
    await expect(a.fenced('a', 1, () => writeProbe(first, 2))).rejects.toThrow(LeaseLost);
    await expect(a.fenced('a', 1, () => writeProbe(first, 3))).rejects.toMatchObject({ code: 'LEASE_LOST', holder: 'a', epoch: 1, reason: 'b holds it at epoch 2' });
    await b.fenced('b', 2, () => writeProbe(second, 4)); // each process writes on its own connections
    // A fenced write whose body fails writes nothing either.
    await expect(b.fenced('b', 2, async () => (await writeProbe(second, 5), Promise.reject(new Error('no'))))).rejects.toThrow('no');
    expect(await probes(first)).toEqual([1, 4]);
    expect(await probes(second)).toEqual([1, 4]);
  });

  it('a fenced write in flight holds off the takeover: it commits first, the takeover after it, the next fenced write is refused', async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    // On the lease's real clock (PostgreSQL: the server's): a short term that runs out while the write is open.
    const a = under.leaseStore(first);
    const b = under.leaseStore(second);
    expect(await a.acquireOrRenew('a', 200, new Date(), null)).toMatchObject({ leader: true, epoch: 1 });
    const held = gate();
    const writing = a.fenced('a', 1, async () => (await writeProbe(first, 1), await held.pass(), 'committed'));
    await held.entered;
    await until("a's term to run out", async () => ((await a.holds('a', 1, new Date())) ? undefined : true));
    if (under.kind === 'sqlite') {
      // The fenced write holds SQLite's write lock: the takeover waits for its commit (retrying BEGIN IMMEDIATE
      // between turns of the event loop, which keeps running: this test's own steps go on meanwhile).
      let settled = false;
      const takeover = b.acquireOrRenew('b', 60_000, new Date(), null).finally(() => (settled = true));
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      held.open();
      expect(await writing).toBe('committed');
      expect(await takeover).toMatchObject({ leader: true, decision: 'ACQUIRE', holder: 'b', epoch: 2 });
    } else {
      // The fenced write holds the lease row FOR SHARE: the takeover's UPDATE waits for its commit.
      let settled = false;
      const takeover = b.acquireOrRenew('b', 60_000, new Date(), null).finally(() => (settled = true));
      await until('the takeover to wait for the row lock', async () => ((await lockWaiters(first)) > 0 ? true : undefined));
      expect(settled).toBe(false);
      held.open();
      expect(await writing).toBe('committed');
      expect(await takeover).toMatchObject({ leader: true, decision: 'ACQUIRE', holder: 'b', epoch: 2 });
    }
    await expect(a.fenced('a', 1, () => writeProbe(first, 2))).rejects.toMatchObject({ code: 'LEASE_LOST', reason: 'b holds it at epoch 2' });
    expect(await probes(first)).toEqual([1]);
  });

  if (under.kind === 'postgres') {
    it('a fenced write that meets a takeover not yet committed waits for it, then is refused and writes nothing', async () => {
      const first = await under.fresh();
      const a = under.leaseStore(first);
      await a.acquireOrRenew('a', 60_000, new Date(), null);
      // Another replica's takeover, held open between its UPDATE and its COMMIT.
      const other = new pg.Client({ connectionString: under.location(first), connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`UPDATE engine_lease SET holder = 'b', epoch = 2 WHERE id = 1`);
        const writing = a.fenced('a', 1, () => writeProbe(first, 1));
        writing.catch(() => undefined);
        await until('the check to wait for the row lock', async () => ((await lockWaiters(first)) > 0 ? true : undefined));
        await other.query('COMMIT');
        // The check could not serialize after the takeover; run again, it reads the new epoch.
        await expect(writing).rejects.toMatchObject({ code: 'LEASE_LOST', holder: 'a', epoch: 1, reason: 'b holds it at epoch 2' });
      } finally {
        await other.end();
      }
      expect(await probes(first)).toEqual([]);
    });

    it('a leader paused inside a fenced write: the server ends its idle transaction, the takeover proceeds, the write commits nothing', async () => {
      const first = await under.fresh();
      const second = await under.another(first);
      const a = under.leaseStore(first, { lockIdleTimeoutMs: 300 });
      const b = under.leaseStore(second);
      expect(await a.acquireOrRenew('a', 200, new Date(), null)).toMatchObject({ leader: true, epoch: 1 });
      const held = gate();
      const writing = a.fenced('a', 1, async () => (await writeProbe(first, 1), await held.pass(), 'committed'));
      writing.catch(() => undefined);
      await held.entered; // a "pauses" here, its transaction open and idle, the lease row locked
      const started = Date.now();
      const taken = await until('b to take over', async () => {
        const state = await b.acquireOrRenew('b', 60_000, new Date(), null);
        return state.leader ? state : undefined;
      });
      expect(taken).toMatchObject({ decision: 'ACQUIRE', holder: 'b', epoch: 2 });
      expect(Date.now() - started).toBeLessThan(5_000); // not the pool's 30 s idle limit, nor a lock timeout
      held.open(); // a wakes: its transaction is gone
      await expect(writing).rejects.toThrow();
      expect(await probes(first)).toEqual([]);
      await expect(a.fenced('a', 1, () => writeProbe(first, 2))).rejects.toMatchObject({ code: 'LEASE_LOST', reason: 'b holds it at epoch 2' });
      expect(await probes(first)).toEqual([]);
    });

    it("expiry is judged on the server's clock: a caller's clock hours off neither takes a live lease nor misses an expired one", async () => {
      const first = await under.fresh();
      const second = await under.another(first);
      const a = under.leaseStore(first);
      const b = under.leaseStore(second);
      const hour = 3_600_000;
      const behind = () => new Date(Date.now() - hour);
      const ahead = () => new Date(Date.now() + hour);
      const before = await serverMs(first);
      const won = await a.acquireOrRenew('a', 60_000, behind(), null);
      const after = await serverMs(first);
      expect(won).toMatchObject({ leader: true, epoch: 1 });
      expect(won.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
      expect(won.expiresAt.getTime()).toBeLessThanOrEqual(after + 60_000);
      // A follower whose clock runs an hour ahead sees a live lease, and so does the holder's check.
      expect(await b.acquireOrRenew('b', 60_000, ahead(), null)).toMatchObject({ leader: false, decision: 'FOLLOW', holder: 'a', epoch: 1 });
      expect(await a.holds('a', 1, ahead())).toBe(true);
      // A short renewal runs out on the server's clock: a follower an hour behind takes over.
      expect(await a.acquireOrRenew('a', 100, ahead(), 1)).toMatchObject({ leader: true, decision: 'RENEW', epoch: 1 });
      const taken = await until('b to take the expired lease', async () => {
        const state = await b.acquireOrRenew('b', 60_000, behind(), null);
        return state.leader ? state : undefined;
      });
      expect(taken).toMatchObject({ decision: 'ACQUIRE', holder: 'b', epoch: 2 });
      expect(await a.holds('a', 1, behind())).toBe(false);
      // A release ends the term now on the server's clock (the caller's far-future time is not used).
      await b.release('b', 2, new Date(Date.now() + 10 * hour));
      expect((await b.read())!.expiresAt.getTime()).toBeLessThanOrEqual(await serverMs(first));
      expect(await a.acquireOrRenew('a', 60_000, behind(), null)).toMatchObject({ leader: true, decision: 'ACQUIRE', epoch: 3 });
    });
  }

  it('two processes racing for the lease: exactly one holder per epoch, epochs rising by one in the order they were won', async () => {
    const first = await under.fresh();
    const location = under.location(first);
    const startAt = Date.now() + 3000; // both racers loaded by then
    const racer = (holder: string) =>
      run(process.execPath, ['--import', 'tsx', 'test/engine/leader/lease-racer.ts', location, holder, String(startAt), '2500', '40'], { cwd: ROOT, timeout: 60_000 });
    const outputs = await Promise.all([racer('a'), racer('b')]);
    const results = outputs.map((o) => JSON.parse(o.stdout) as { holder: string; wins: { epoch: number; at: number }[]; renewals: number[] });
    const wins = results.flatMap((r) => r.wins.map((w) => ({ ...w, holder: r.holder }))).sort((x, y) => x.epoch - y.epoch);
    // Each epoch won once, by one holder, with no gap: 1, 2, 3 …
    expect(wins.map((w) => w.epoch)).toEqual(wins.map((_, i) => i + 1));
    // Both won terms (the stalls hand the lease over), and each won in turn: epoch order is time order.
    expect(new Set(wins.map((w) => w.holder)).size).toBe(2);
    expect(wins.length).toBeGreaterThan(4);
    for (let i = 1; i < wins.length; i++) expect(wins[i]!.at).toBeGreaterThanOrEqual(wins[i - 1]!.at);
    // A holder renews only epochs it won.
    for (const r of results) {
      const own = new Set(r.wins.map((w) => w.epoch));
      expect(r.renewals.every((e) => own.has(e))).toBe(true);
    }
    // The row holds the last epoch won.
    expect((await under.leaseStore(first).read())?.epoch).toBe(wins.length);
  }, 90_000);
});
