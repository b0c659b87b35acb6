/**
 * A pass woken by the cluster alone may wait on the order as the engine last saw it; every other decision asks the
 * database (its version alone while the remembered order is current).
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { ReleaseOrderRow } from '../../src/db/release-tables.js';
import type { Repositories } from '../../src/db/repositories.js';
import { applyEvent } from '../../src/engine/apply.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { createOrderFactsCache } from '../../src/engine/order-facts.js';
import { reconcileOrder, type ReconcileDeps } from '../../src/engine/reconcile.js';
import { createStepFailures } from '../../src/engine/step-failures.js';
import { describeEachDatabase } from '../db/each-database.js';
import { fakeKube, setUp, submit } from './fake-kube.js';

const logger = pino({ level: 'silent' });

/** The repositories, counting the reads of an order by its ID (the whole row) and of its version alone. */
function counting(repos: Repositories) {
  const reads = { order: 0, isCurrent: 0 };
  const releases = {
    ...repos.releases,
    order: (id: number) => (reads.order++, repos.releases.order(id)),
    isCurrent: (known: ReleaseOrderRow) => (reads.isCurrent++, repos.releases.isCurrent(known)),
  };
  return { repos: { ...repos, releases } as Repositories, reads };
}

describeEachDatabase('a remembered order', (target) => {
  it('decides to wait without reading the order; a decision to act reads it again and sees what a user did meanwhile', async () => {
    const { repos: plain, envId } = await setUp(target);
    const order = await submit(plain, envId);
    const { repos, reads } = counting(plain);
    const fake = fakeKube();
    let ready = 0;
    const scaled: number[] = [];
    const kube: KubePort = {
      ...fake.kube,
      scaleRevision: async (_t, n, count) => (scaled.push(count), fake.replicas.set(n, count), { ok: true, value: undefined }),
      // The first batch's 2 instances are asked for; `ready` of them are Ready.
      observeEnvironment: async () => ({
        ok: true,
        value: { revisions: [{ number: order.toRevision, desired: 2, current: 2, ready, workload: 'w' }], instances: [], statefulSet: null, observedAt: new Date() },
      }),
    };
    const rows = new Map<number, ReleaseOrderRow>();
    const deps: ReconcileDeps = { repos, kube, logger, now: () => new Date(), batchDeadlineMs: 60_000, stepFailures: createStepFailures(), facts: createOrderFactsCache(repos), rows };

    expect(await reconcileOrder(deps, order.id)).toEqual({ next: 'AGAIN' }); // prepared
    expect(await reconcileOrder(deps, order.id)).toMatchObject({ next: 'IDLE' }); // waits for the first batch
    expect(rows.get(order.id)).toMatchObject({ id: order.id, cursor: { prepared: true } });
    const before = reads.order;
    expect(await reconcileOrder(deps, order.id, true)).toMatchObject({ next: 'IDLE' });
    expect(reads.order).toBe(before); // the wait was decided on the remembered order

    // A user closes the order; the engine is not told. A wait still needs no read…
    await plain.transaction(() => applyEvent(plain, order.id, { type: 'CLOSE' }, 'alice', new Date()));
    expect(await reconcileOrder(deps, order.id, true)).toMatchObject({ next: 'IDLE' });
    // …but once the batch is Ready the decision is to act: the order is read again, it is closed, nothing more is done.
    ready = 2;
    expect(await reconcileOrder(deps, order.id, true)).toEqual({ next: 'DONE' });
    expect(reads.order).toBe(before + 1);
    expect(rows.has(order.id)).toBe(false);
    expect(scaled).toEqual([]);
    expect(await plain.releases.order(order.id)).toMatchObject({ state: 'CLOSED', cursor: { batchesDone: 0 } });
  });

  it('without `reuse` every pass asks the database: the remembered order by its version alone while it is current, the whole row once someone changed it', async () => {
    const { repos: plain, envId } = await setUp(target);
    const order = await submit(plain, envId);
    const { repos, reads } = counting(plain);
    const kube: KubePort = {
      ...fakeKube().kube,
      observeEnvironment: async () => ({
        ok: true,
        value: { revisions: [{ number: order.toRevision, desired: 2, current: 2, ready: 0, workload: 'w' }], instances: [], statefulSet: null, observedAt: new Date() },
      }),
    };
    const rows = new Map<number, ReleaseOrderRow>();
    const deps: ReconcileDeps = { repos, kube, logger, now: () => new Date(), batchDeadlineMs: 60_000, stepFailures: createStepFailures(), rows };
    expect(await reconcileOrder(deps, order.id)).toEqual({ next: 'AGAIN' }); // read (nothing remembered), then prepared: the written row is remembered
    expect(await reconcileOrder(deps, order.id)).toMatchObject({ next: 'IDLE' });
    expect(await reconcileOrder(deps, order.id)).toMatchObject({ next: 'IDLE' });
    expect(reads).toEqual({ order: 1, isCurrent: 2 });

    // A user changes the order's pause mode; the engine is not told: the next pass finds the stored version moved and reads the row.
    await plain.transaction(() => applyEvent(plain, order.id, { type: 'SET_PAUSE_MODE', mode: 'FIRST_BATCH' }, 'alice', new Date()));
    expect(await reconcileOrder(deps, order.id)).toMatchObject({ next: 'IDLE' });
    expect(reads).toEqual({ order: 2, isCurrent: 3 });
    expect(rows.get(order.id)).toMatchObject({ pauseMode: 'FIRST_BATCH' });

    // An order gone (its app deleted) is not taken for the remembered one.
    const gone = { ...rows.get(order.id)!, id: order.id + 1000 };
    expect(await plain.releases.isCurrent(gone)).toBeUndefined();
    expect(await plain.releases.isCurrent({ ...rows.get(order.id)!, version: rows.get(order.id)!.version - 1 })).toBe(false);
    expect(await plain.releases.isCurrent(rows.get(order.id)!)).toBe(true);
  });

  it('writes a finished batch on the remembered order once its version is checked in the transaction; an order deleted meanwhile is forgotten', async () => {
    const { repos: plain, envId } = await setUp(target);
    const order = await submit(plain, envId);
    const { repos, reads } = counting(plain);
    let ready = 0;
    const kube: KubePort = {
      ...fakeKube().kube,
      observeEnvironment: async () => ({
        ok: true,
        value: { revisions: [{ number: order.toRevision, desired: 2, current: 2, ready, workload: 'w' }], instances: [], statefulSet: null, observedAt: new Date() },
      }),
    };
    const rows = new Map<number, ReleaseOrderRow>();
    const deps: ReconcileDeps = { repos, kube, logger, now: () => new Date(), batchDeadlineMs: 60_000, stepFailures: createStepFailures(), rows };
    expect(await reconcileOrder(deps, order.id)).toEqual({ next: 'AGAIN' }); // prepared
    expect(await reconcileOrder(deps, order.id)).toMatchObject({ next: 'IDLE' });
    ready = 2;
    expect(await reconcileOrder(deps, order.id)).toEqual({ next: 'AGAIN' }); // the first batch is done
    expect(reads).toEqual({ order: 1, isCurrent: 3 }); // the pass's check, then the guarded write's
    expect(await plain.releases.order(order.id)).toMatchObject({ cursor: { batchesDone: 1 } });
    expect(rows.get(order.id)).toMatchObject({ cursor: { batchesDone: 1 } });

    // The app (and its orders) deleted behind the engine's back: the remembered order is not taken for a stored one.
    const appId = (await plain.apps.environmentsByIds([envId]))[0]!.appId;
    expect(await plain.apps.delete(appId)).toBe(true);
    expect(await reconcileOrder(deps, order.id)).toEqual({ next: 'DONE' });
    expect(reads).toEqual({ order: 1, isCurrent: 4 });
    expect(rows.has(order.id)).toBe(false);
  });
});
