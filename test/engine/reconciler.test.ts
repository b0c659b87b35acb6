/** The reconciler against an in-memory fake of the Kubernetes layer: start-up resume, call sequence, guarded writes. */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/db/repositories.js';
import { applyEvent } from '../../src/engine/apply.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { createdBeforeRetry, reconcileOrder } from '../../src/engine/reconcile.js';
import { createOrderEvents } from '../../src/engine/order-events.js';
import { orderUpdates } from '../../src/engine/order-updates.js';
import { createReconciler, type Reconciler, type ReconcilerOptions } from '../../src/engine/reconciler.js';
import { createReleaseService } from '../../src/engine/service.js';
import { createStepFailures } from '../../src/engine/step-failures.js';
import { describeEachDatabase, type DatabaseKind } from '../db/each-database.js';
import { fakeKube, setUp as setUpIn, submit } from './fake-kube.js';

const logger = pino({ level: 'silent' });
/** The same tests on SQLite (one connection) and PostgreSQL (a pool, SERIALIZABLE transactions). */
const KINDS: readonly DatabaseKind[] = ['sqlite-memory', 'postgres'];

describe('retry: which pods named in it are recreated', () => {
  const retryAt = Date.parse('2026-01-01T10:00:05.400Z');
  const crashLoop = { reason: 'CRASH_LOOP' as const, message: 'back-off' };
  it.each([
    // [created (creationTimestamp, second precision), failing?, deleted?]
    ['10:00:03Z', false, true], // older than the retry's second: not Ready by the deadline, say
    ['10:00:03Z', true, true],
    ['10:00:05Z', true, true], // same second, failing: the pod the user retried
    ['10:00:05Z', false, false], // same second, starting: perhaps the replacement of a pod this retry deleted
    ['10:00:06Z', true, false], // after the retry: a replacement, whatever it does
  ])('created %s, failing %s → recreated %s', (created, failing, expected) => {
    expect(createdBeforeRetry({ createdAt: new Date(`2026-01-01T${created}`), failure: failing ? crashLoop : null }, retryAt)).toBe(expected);
  });
});

describeEachDatabase('the engine', (target) => {
  const setUp = () => setUpIn(target);
  const reconcilers: Reconciler[] = [];
  afterEach(async () => {
    for (const r of reconcilers.splice(0)) await r.stop();
  });

  function start(repos: Repositories, kube: KubePort, more: Partial<ReconcilerOptions> = {}): Reconciler {
    const r = createReconciler({ repos, kube, logger, batchDeadlineMs: 60_000, resyncIntervalMs: 60_000, ...more });
    reconcilers.push(r);
    r.start();
    return r;
  }

  describe('reconciler', () => {
    it('at start-up picks up every active order and takes the steps in order: up first, then down', async () => {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      // Revision 1 runs (a completed first order), revision 2 is submitted while no engine runs.
      const first = await submit(repos, envId);
      expect(await repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: new Date() }, new Date())).toBeDefined();
      fake.replicas.set(1, 4);
      const order = await submit(repos, envId);
      const reconciler = start(repos, fake.kube);
      await reconciler.idle();
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED', cursor: { batchesDone: 2 } });
      expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 2 2', 'scale 1 2', 'scale 2 4', 'scale 1 0']);
      expect((await repos.releases.transitionsOf([order.id])).map((t) => `${t.toState}:${t.actor}`)).toEqual(['DEPLOYING:alice', 'COMPLETED:cairn']);
    });

    it('a user action during a pass wins: the pass does not overwrite it', async () => {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      const order = await submit(repos, envId);
      const reconciler = start(repos, fake.kube);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe('COMPLETED');

      const next = await submit(repos, envId, 'FIRST_BATCH');
      const { reached, release } = fake.hold();
      reconciler.wake(next.id);
      await reached; // the pass now waits on the cluster
      await repos.transaction(() => applyEvent(repos, next.id, { type: 'CLOSE', reason: 'changed my mind' }, 'bob', new Date()));
      release();
      await reconciler.idle();
      const closed = (await repos.releases.order(next.id))!;
      expect(closed.state).toBe('CLOSED');
      expect((await repos.releases.transitionsOf([next.id])).map((t) => `${t.toState}:${t.actor}`)).toEqual(['DEPLOYING:alice', 'CLOSED:bob']);
      expect(fake.calls.filter((c) => c.startsWith('scale 2'))).toEqual([]); // revision 2 never scaled
    });

    it('runs one pass of an order at a time: wakes (and the resync) during a pass wait for it, each step is taken once', async () => {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      let inFlight = 0;
      let most = 0;
      const kube: KubePort = {
        ...fake.kube,
        async observeEnvironment(...args) {
          most = Math.max(most, ++inFlight);
          try {
            return await fake.kube.observeEnvironment(...args);
          } finally {
            inFlight--;
          }
        },
      };
      const order = await submit(repos, envId, 'FIRST_BATCH');
      const { reached, release } = fake.hold();
      const reconciler = start(repos, kube); // its first resync wakes the order
      await reached; // the first pass waits on the cluster, between its reads and its write
      for (let i = 0; i < 10; i++) reconciler.wake(order.id);
      release();
      await reconciler.idle();
      expect(most).toBe(1);
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'PAUSED', cursor: { batchesDone: 1 } });
      expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2']);
      expect((await repos.releases.transitionsOf([order.id])).map((t) => `${t.toState}:${t.actor}`)).toEqual(['DEPLOYING:alice', 'PAUSED:cairn']);
    });

    it('a pass that lost the race to a user action writes nothing (the guarded write answers undefined)', async () => {
      const { repos, envId } = await setUp();
      const order = await submit(repos, envId);
      const resumedElsewhere = await repos.releases.updateOrder(order, { pauseMode: 'FIRST_BATCH' }, new Date());
      expect(resumedElsewhere?.version).toBe(order.version + 1);
      expect(await repos.releases.updateOrder(order, { cursor: { ...order.cursor, prepared: true } }, new Date())).toBeUndefined();
      expect(await repos.releases.order(order.id)).toMatchObject({ version: order.version + 1, pauseMode: 'FIRST_BATCH', cursor: { prepared: false } });
    });

    it('pauses after the first batch and goes on only after resume', async () => {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      const order = await submit(repos, envId, 'FIRST_BATCH');
      const reconciler = start(repos, fake.kube);
      await reconciler.idle();
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'PAUSED', cursor: { batchesDone: 1 } });
      expect(fake.replicas.get(1)).toBe(2);
      const resumed = await repos.transaction(() => applyEvent(repos, order.id, { type: 'RESUME' }, 'bob', new Date()));
      expect(resumed.wake).toBe(true);
      reconciler.wake(order.id);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe('COMPLETED');
      expect(fake.replicas.get(1)).toBe(4);
    });
  });

  describe('foreground first', () => {
    /** A line of API requests the test fills and empties. */
    function line() {
      let waiting = false;
      const listeners: (() => void)[] = [];
      return {
        foreground: { busy: () => waiting, onIdle: (listener: () => void) => void listeners.push(listener) },
        fill: () => (waiting = true),
        empty() {
          waiting = false;
          for (const listener of listeners) listener();
        },
      };
    }

    /** A started engine fed by a line the test fills, and a submitted order whose wake comes while requests wait. */
    async function whileRequestsWait(more: Partial<ReconcilerOptions> = {}) {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      const requests = line();
      const reconciler = start(repos, fake.kube, { foreground: requests.foreground, ...more });
      await reconciler.idle();
      requests.fill();
      const order = await submit(repos, envId);
      return { repos, fake, requests, reconciler, order };
    }
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };

    it('a wake while requests wait runs no pass until the line is empty; idle() waits for it', async () => {
      const { repos, fake, requests, reconciler, order } = await whileRequestsWait();
      reconciler.wake(order.id);
      reconciler.wake(order.id);
      // Turns go by while requests wait: no step is taken.
      await turns(5);
      expect(fake.calls).toEqual([]);
      const done = reconciler.idle();
      requests.empty();
      await done;
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED' });
      expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2', 'scale 1 4']);
    });

    it('a line that never empties holds a wake foregroundHoldMs at most', async () => {
      const { repos, fake, requests, reconciler, order } = await whileRequestsWait({ foregroundHoldMs: 200 });
      const at = performance.now();
      reconciler.wake(order.id);
      await turns(5);
      expect(fake.calls).toEqual([]);
      await reconciler.idle();
      expect(performance.now() - at).toBeGreaterThanOrEqual(190);
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED' });
      expect(requests.foreground.busy()).toBe(true);
    });

    it('wakes held when the engine stops are dropped; its next start takes up the order', async () => {
      const { repos, fake, requests, reconciler, order } = await whileRequestsWait();
      reconciler.wake(order.id);
      await reconciler.stop();
      requests.empty();
      await turns(5);
      expect(fake.calls).toEqual([]);
      reconciler.start(); // its resync wakes the active order; nothing waits in line now
      await reconciler.idle();
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED' });
      expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2', 'scale 1 4']);
    });
  });

  describe('retry', () => {
    const crashLoop = { reason: 'CRASH_LOOP' as const, message: 'back-off' };
    it('a pass that deleted a failed pod and stopped before recording it does not delete its replacement again', async () => {
      const { repos, envId } = await setUp();
      const order = await submit(repos, envId);
      const now = new Date();
      const retryAt = Math.floor(now.getTime() / 1000) * 1000 + 1; // early in this second: the replacement is stamped with the same second
      const stored = (await repos.releases.updateOrder(order, { cursor: { ...order.cursor, prepared: true, recreate: ['shop-production-3', 'shop-production-2'], retryAt } }, now))!;
      expect(stored.cursor.recreate).toHaveLength(2);
      const instance = (name: string, failure: typeof crashLoop | null) => ({
        name,
        revision: 2,
        phase: 'Running',
        ready: false,
        terminating: false,
        restarts: 0,
        node: 'n1',
        ip: '10.1.0.9',
        createdAt: new Date(Math.floor(retryAt / 1000) * 1000),
        containers: [],
        failure,
        lastWarning: null,
      });
      const deleted: string[][] = [];
      const fake = fakeKube();
      const kube: KubePort = {
        ...fake.kube,
        deleteInstances: async (_t, names) => (deleted.push(names), { ok: true, value: names }),
        observeEnvironment: async () => ({
          ok: true,
          // -3 was deleted before the stop and is back, starting; -2 still fails (its deletion had not happened).
          value: { revisions: [], instances: [instance('shop-production-3', null), instance('shop-production-2', crashLoop)], statefulSet: null, observedAt: new Date() },
        }),
      };
      const outcome = await reconcileOrder({ repos, kube, logger, now: () => new Date(), batchDeadlineMs: 60_000, stepFailures: createStepFailures() }, order.id);
      expect(outcome).toEqual({ next: 'AGAIN' });
      expect(deleted).toEqual([['shop-production-2']]);
      expect((await repos.releases.order(order.id))!.cursor.recreate).toEqual([]);
    });
  });

  describe('release service', () => {
    it('followers woken together share one cluster read; a later read is a fresh one', async () => {
      const { repos, envId } = await setUp();
      const fake = fakeKube();
      let reads = 0;
      const kube: KubePort = { ...fake.kube, observeEnvironment: (...args) => (reads++, fake.kube.observeEnvironment(...args)) };
      const service = createReleaseService(repos, kube, start(repos, kube), createOrderEvents());
      const env = (await repos.apps.environmentsByIds([envId]))[0]!;
      const together = await Promise.all([service.observe(env), service.observe(env), service.observe(env)]);
      expect(reads).toBe(1);
      expect(together[1]).toBe(together[0]);
      await service.observe(env);
      expect(reads).toBe(2);
    });

    it('an update whose read fails is skipped (nothing unhandled); the next signal reads again', async () => {
      const { repos, envId } = await setUp();
      const order = await submit(repos, envId);
      const events = createOrderEvents();
      let failing = true;
      const flaky: Repositories = {
        ...repos,
        releases: { ...repos.releases, order: (id: number) => (failing ? Promise.reject(new Error('the database was busy')) : repos.releases.order(id)) },
      };
      const updates = orderUpdates({ repos: flaky, events, observe: async () => null }, order.id);
      const first = updates.next();
      await new Promise((resolve) => setImmediate(resolve)); // the first read failed meanwhile
      failing = false;
      events.publish(order.id);
      expect(await first).toMatchObject({ done: false, value: { sequence: 1, order: { id: order.id, state: 'DEPLOYING' } } });
      await updates.return?.();
    });

    it('an update whose read fails is read again a moment later, even when no other signal comes (a finished order sends none)', async () => {
      const { repos, envId } = await setUp();
      const order = await submit(repos, envId);
      const events = createOrderEvents();
      let reads = 0;
      const flaky: Repositories = {
        ...repos,
        releases: { ...repos.releases, order: (id: number) => (++reads === 1 ? Promise.reject(new Error('the database was busy')) : repos.releases.order(id)) },
      };
      const updates = orderUpdates({ repos: flaky, events, observe: async () => null }, order.id);
      expect(await updates.next()).toMatchObject({ done: false, value: { order: { id: order.id, state: 'DEPLOYING' } } });
      expect(reads).toBe(2);
      await updates.return?.();
    });
  });
}, KINDS);
