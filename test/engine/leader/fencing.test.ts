/**
 * Fencing: holder A runs the engine at epoch 1; its lease expires while a pass waits (a pause); B takes over at
 * epoch 2. A's next step is refused — before a Kubernetes step (no call reaches the cluster) or at the database
 * write after a step in flight (LeaseLost, nothing written). A's reconciler stops and its leadership says it lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../../src/db/client.js';
import type { Repositories } from '../../../src/db/repositories.js';
import type { KubePort } from '../../../src/engine/kube-port.js';
import { createLeadership, type Leadership } from '../../../src/engine/leader/leadership.js';
import { createSqliteLeaseStore } from '../../../src/engine/leader/sqlite-lease-store.js';
import { createReconciler, type Reconciler } from '../../../src/engine/reconciler.js';
import { fakeKube, setUp, submit } from '../fake-kube.js';

const dirs: string[] = [];
const opened: OpenDatabase[] = [];
const stoppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stoppers.splice(0)) await s();
  for (const d of opened.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A database file with one app (A's connection), and a second connection for B. */
function database() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-fence-'));
  dirs.push(dir);
  const path = join(dir, 'cairn.db');
  const { repos, envId } = setUp(opened, path);
  const a = opened.at(-1)!;
  const b = openDatabase(path);
  opened.push(b);
  return { repos, envId, a, b };
}

const logs: { msg: string; [k: string]: unknown }[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

/** A's engine: a reconciler under a leadership over connection `a`, on a wall clock the test moves. */
async function leaderA(repos: Repositories, db: OpenDatabase, kube: KubePort, clock: { now: number }) {
  let reconciler: Reconciler | null = null;
  let lost = 0;
  const leadership: Leadership = createLeadership({
    store: createSqliteLeaseStore(db.db),
    holder: 'a',
    ttlMs: 60_000, // the loop's own renewals stay out of the way: the test moves the wall clock instead
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
  stoppers.push(() => leadership.stop());
  return { leadership, reconciler, lost: () => lost };
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

describe('fencing the engine by the lease epoch', () => {
  it('B takes over while A waits on the cluster; A sends no Kubernetes step and writes nothing', async () => {
    const { repos, envId, b } = database();
    const fake = fakeKube();
    const held = holdCall(fake.kube, 'observeEnvironment');
    const clock = { now: Date.now() };
    const order = submit(repos, envId);
    const a = await leaderA(repos, opened[0]!, held.kube, clock);
    await a.leadership.start();
    expect(a.leadership.status()).toMatchObject({ leader: true, holder: 'a', epoch: 1 });
    await held.reached; // A's pass reads the cluster…
    clock.now += 61_000; // …past its lease (a pause): B takes over at epoch 2
    expect(await createSqliteLeaseStore(b.db).acquireOrRenew('b', 60_000, new Date(clock.now), null)).toMatchObject({ leader: true, epoch: 2 });
    held.release();
    await a.reconciler.idle();
    expect(fake.calls).toEqual([]); // the first step (ensureBase) was refused before it reached the cluster
    expect(repos.releases.order(order.id)).toMatchObject({ version: 1, cursor: { prepared: false } });
    expect(repos.releases.transitionsOf([order.id]).map((t) => t.actor)).toEqual(['alice']);
    expect(a.lost()).toBe(1);
    expect(a.leadership.status()).toMatchObject({ leader: false, holder: 'a' });
    expect(logs.filter((l) => l.msg === 'engine leadership lost').at(-1)).toMatchObject({ holder: 'a', epoch: 1 });
  });

  it("a step in flight when B takes over: the cluster got it (the residual window), but A's write after it throws LeaseLost and writes nothing", async () => {
    const { repos, envId, b } = database();
    const fake = fakeKube();
    const held = holdCall(fake.kube, 'ensureRevision');
    const clock = { now: Date.now() };
    const order = submit(repos, envId);
    const a = await leaderA(repos, opened[0]!, held.kube, clock);
    await a.leadership.start();
    await held.reached; // the last step before the cursor's write is on its way
    clock.now += 61_000;
    await createSqliteLeaseStore(b.db).acquireOrRenew('b', 60_000, new Date(clock.now), null);
    held.release();
    await a.reconciler.idle();
    expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2']);
    // The write that would record the step (cursor.prepared) was fenced: the order is as submitted.
    expect(repos.releases.order(order.id)).toMatchObject({ version: 1, state: 'DEPLOYING', cursor: { prepared: false, batchesDone: 0 } });
    expect(logs.some((l) => l.msg === 'release engine fenced: the lease is lost; nothing was written' && l.epoch === 1)).toBe(true);
    expect(a.leadership.status().leader).toBe(false);
  });
});
