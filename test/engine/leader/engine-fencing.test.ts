/**
 * Fencing the release engine itself, on SQLite and on PostgreSQL: holder A runs the reconciler at epoch 1; its
 * lease expires while a pass waits on the cluster (a pause); B takes over at epoch 2. A's next step is refused —
 * before a Kubernetes step (no call reaches the cluster) or at the database write after a step in flight
 * (LeaseLost, nothing written). A's reconciler stops and its leadership says it lost.
 *
 * The wall clock is the test's (A's leadership and B's takeover on it; on PostgreSQL the stores run on the callers'
 * clock for this), so a pause is a jump of the clock, not a wait.
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import type { Repositories } from '../../../src/db/repositories.js';
import type { KubePort } from '../../../src/engine/kube-port.js';
import { createLeadership } from '../../../src/engine/leader/leadership.js';
import { createReconciler, type Reconciler } from '../../../src/engine/reconciler.js';
import { fakeKube, seed, submit } from '../fake-kube.js';
import { eachDatabase, type DatabaseUnderTest } from './each-database.js';

const TTL = 60_000; // the loop's own renewals stay out of the way: the test moves the wall clock instead

/** A's engine: a reconciler under a leadership over `database`, on a wall clock the test moves. */
async function leaderA(under: DatabaseUnderTest, database: Database, repos: Repositories, kube: KubePort, clock: { now: number }) {
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  let reconciler: Reconciler | null = null;
  let lost = 0;
  const leadership = createLeadership({
    store: under.leaseStore(database, { clock: 'caller' }),
    holder: 'a',
    ttlMs: TTL,
    logger,
    now: () => new Date(clock.now),
    engine: { start: () => reconciler!.start(), stop: () => reconciler!.stop() },
  });
  reconciler = createReconciler({
    repos,
    kube,
    logger,
    batchDeadlineMs: 600_000,
    resyncIntervalMs: 600_000,
    fence: leadership.fence,
    onLeaseLost: (e) => (lost++, leadership.fenced(e)),
  });
  under.defer(() => leadership.stop());
  return { leadership, reconciler, logs, lost: () => lost };
}

/** Holds the fake cluster's `op` call until released; `reached` resolves when a pass is inside it. */
function holdCall(kube: KubePort, op: 'ensureRevision' | 'observeEnvironment'): { kube: KubePort; reached: Promise<void>; release(): void } {
  let release = () => {};
  let reach = () => {};
  const gate = new Promise<void>((done) => (release = done));
  const reached = new Promise<void>((done) => (reach = done));
  const original = kube[op] as (...args: unknown[]) => Promise<never>;
  return {
    kube: { ...kube, [op]: async (...args: unknown[]) => (reach(), await gate, original(...args)) },
    reached,
    release,
  };
}

eachDatabase('fencing the release engine by the lease epoch', (under) => {
  it('B takes over while A waits on the cluster; A sends no Kubernetes step and writes nothing', async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const { repos, envId } = await seed(first);
    const fake = fakeKube();
    const held = holdCall(fake.kube, 'observeEnvironment');
    const clock = { now: Date.now() };
    const order = await submit(repos, envId);
    const a = await leaderA(under, first, repos, held.kube, clock);
    await a.leadership.start();
    expect(a.leadership.status()).toMatchObject({ leader: true, holder: 'a', epoch: 1 });
    await held.reached; // A's pass reads the cluster…
    clock.now += TTL + 1_000; // …past its lease (a pause): B takes over at epoch 2
    expect(await under.leaseStore(second, { clock: 'caller' }).acquireOrRenew('b', TTL, new Date(clock.now), null)).toMatchObject({ leader: true, epoch: 2 });
    held.release();
    await a.reconciler.idle();
    expect(fake.calls).toEqual([]); // the first step (ensureBase) was refused before it reached the cluster
    expect(await repos.releases.order(order.id)).toMatchObject({ version: 1, cursor: { prepared: false } });
    expect((await repos.releases.transitionsOf([order.id])).map((t) => t.actor)).toEqual(['alice']);
    expect(a.lost()).toBe(1);
    expect(a.leadership.status()).toMatchObject({ leader: false, holder: 'a' });
    expect(a.logs.filter((l) => l.msg === 'engine leadership lost').at(-1)).toMatchObject({ holder: 'a', epoch: 1 });
  });

  it("a step in flight when B takes over: the cluster got it (the residual window), but A's write after it throws LeaseLost and writes nothing", async () => {
    const first = await under.fresh();
    const second = await under.another(first);
    const { repos, envId } = await seed(first);
    const fake = fakeKube();
    const held = holdCall(fake.kube, 'ensureRevision');
    const clock = { now: Date.now() };
    const order = await submit(repos, envId);
    const a = await leaderA(under, first, repos, held.kube, clock);
    await a.leadership.start();
    await held.reached; // the last step before the cursor's write is on its way
    clock.now += TTL + 1_000;
    await under.leaseStore(second, { clock: 'caller' }).acquireOrRenew('b', TTL, new Date(clock.now), null);
    held.release();
    await a.reconciler.idle();
    expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2']);
    // The write that would record the step (cursor.prepared) was fenced: the order is as submitted.
    expect(await repos.releases.order(order.id)).toMatchObject({ version: 1, state: 'DEPLOYING', cursor: { prepared: false, batchesDone: 0 } });
    expect(a.logs.some((l) => l.msg === 'release engine fenced: the lease is lost; nothing was written' && l.epoch === 1)).toBe(true);
    expect(a.leadership.status().leader).toBe(false);
  });
});
