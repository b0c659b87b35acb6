/**
 * A step the cluster refuses: the order fails within one pass (CLUSTER_REFUSED), or, for a step
 * that keeps failing retryably, at the batch deadline (DEADLINE_EXCEEDED); retry, close and rollback
 * from there; a warning once steps failed N times in a row. Against the engine's fake cluster.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/db/repositories.js';
import { applyEvent } from '../../src/engine/apply.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { reconcileOrder, type ReconcileDeps } from '../../src/engine/reconcile.js';
import { createReconciler, type Reconciler } from '../../src/engine/reconciler.js';
import { createStepFailures } from '../../src/engine/step-failures.js';
import type { KubeError } from '../../src/kube/kube-errors.js';
import { describeEachDatabase } from '../db/each-database.js';
import { fakeKube, setUp as setUpIn, submit } from './fake-kube.js';


const silent = pino({ level: 'silent' });
const deployment = { kind: 'Deployment', namespace: 'cairn-shop', name: 'shop-production-r1' };
const invalid: KubeError = { kind: 'Invalid', status: 422, reason: 'Invalid', message: 'Deployment.apps "shop-production-r1" is invalid: spec.template.spec.containers[0].image: Required value', object: deployment };
const busy: KubeError = { kind: 'Unavailable', status: 503, message: 'etcdserver: request timed out', object: deployment };
const refused = <T>(error: KubeError) => async (): Promise<{ ok: false; error: KubeError } | { ok: true; value: T }> => ({ ok: false, error });

function deps(repos: Repositories, kube: KubePort, now: () => Date, extra: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return { repos, kube, logger: silent, now, batchDeadlineMs: 60_000, stepFailures: createStepFailures(), ...extra };
}

describeEachDatabase('refusals', (target) => {
  const reconcilers: Reconciler[] = [];
  afterEach(async () => {
    for (const r of reconcilers.splice(0)) await r.stop();
  });

  function start(repos: Repositories, kube: KubePort): Reconciler {
    const r = createReconciler({ repos, kube, logger: silent, batchDeadlineMs: 60_000, resyncIntervalMs: 60_000 });
    reconcilers.push(r);
    r.start();
    return r;
  }

  describe('a step the cluster refuses for good', () => {
    it('fails the order within one pass, with the object, the step and the API server\'s message', async () => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      const kube: KubePort = { ...fake.kube, ensureRevision: refused(invalid) };
      const order = await submit(repos, envId);
      const outcome = await reconcileOrder(deps(repos, kube, () => new Date()), order.id);
      expect(outcome).toEqual({ next: 'AGAIN' });
      expect((await repos.releases.order(order.id))?.state).toBe('FAILED');
      const [failure] = await repos.releases.openFailuresOf(order.id);
      expect(failure).toMatchObject({ instanceName: 'Deployment/shop-production-r1', reason: 'CLUSTER_REFUSED', batch: 0 });
      expect(failure!.message).toContain('set up revision 1');
      expect(failure!.message).toContain('Deployment cairn-shop/shop-production-r1 (HTTP 422 Invalid)');
      expect(failure!.message).toContain('spec.template.spec.containers[0].image: Required value');
      const last = (await repos.releases.transitionsOf([order.id])).at(-1)!;
      expect(last).toMatchObject({ fromState: 'DEPLOYING', toState: 'FAILED', actor: 'cairn' });
      expect(last.reason).toContain('CLUSTER_REFUSED');
      // The next pass leaves the failed order alone: no more calls to the cluster.
      expect(await reconcileOrder(deps(repos, kube, () => new Date()), order.id)).toEqual({ next: 'IDLE', at: null });
    });

    it('retry runs the step again (no instance is deleted) and the order completes once the cluster accepts it', async () => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      let refusing = true;
      const deleted: string[][] = [];
      const kube: KubePort = {
        ...fake.kube,
        ensureRevision: (...args) => (refusing ? refused(invalid)() : fake.kube.ensureRevision(...args)),
        deleteInstances: async (_t, names) => (deleted.push(names), { ok: true, value: names }),
      };
      const order = await submit(repos, envId);
      const reconciler = start(repos, kube);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe('FAILED');
      refusing = false; // the cause is fixed
      const retried = await repos.transaction(() => applyEvent(repos, order.id, { type: 'RETRY' }, 'bob', new Date()));
      expect(retried.order).toMatchObject({ state: 'DEPLOYING', cursor: { recreate: [] } });
      reconciler.wake(order.id);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe('COMPLETED');
      expect(deleted).toEqual([]);
      expect(await repos.releases.failuresOf([order.id])).toMatchObject([{ reason: 'CLUSTER_REFUSED', resolvedAt: expect.any(Date) }]);
      expect((await repos.releases.transitionsOf([order.id])).map((t) => `${t.toState}:${t.actor}`)).toEqual(['DEPLOYING:alice', 'FAILED:cairn', 'DEPLOYING:bob', 'COMPLETED:cairn']);
    });

    it.each([
      ['CLOSE', 'CLOSED'],
      ['ROLLBACK', 'ROLLED_BACK'],
    ] as const)('%s works from the refusal (→ %s)', async (type, state) => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      // Scaling up is forbidden (the second batch's step; the first batch starts with the Deployment); scaling down is not.
      const forbidden = refused<void>({ ...invalid, kind: 'Forbidden', status: 403, reason: 'Forbidden', message: 'deployments.apps "shop-production-r1" is forbidden' });
      const kube: KubePort = { ...fake.kube, scaleRevision: (t, n, count) => (count > 0 ? forbidden() : fake.kube.scaleRevision(t, n, count)) };
      const order = await submit(repos, envId);
      const reconciler = start(repos, kube);
      await reconciler.idle();
      expect(await repos.releases.order(order.id)).toMatchObject({ state: 'FAILED' });
      expect(await repos.releases.openFailuresOf(order.id)).toMatchObject([{ reason: 'CLUSTER_REFUSED', instanceName: 'Deployment/shop-production-r1' }]);
      await repos.transaction(() => applyEvent(repos, order.id, { type }, 'bob', new Date()));
      reconciler.wake(order.id);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe(state);
      expect(await repos.releases.openFailuresOf(order.id)).toHaveLength(type === 'CLOSE' ? 1 : 0);
    });

    it('a refused observation fails the order too (e.g. 403: cairn may no longer list the pods)', async () => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      const pods = { kind: 'Pod', namespace: 'cairn-shop', name: '' };
      const kube: KubePort = { ...fake.kube, observeEnvironment: refused({ kind: 'Forbidden', status: 403, reason: 'Forbidden', message: 'pods is forbidden', object: { ...pods, name: '(list)' } }) };
      const order = await submit(repos, envId);
      await reconcileOrder(deps(repos, kube, () => new Date()), order.id);
      expect(await repos.releases.openFailuresOf(order.id)).toMatchObject([{ reason: 'CLUSTER_REFUSED', instanceName: 'Pod/(list)', message: expect.stringContaining('read the environment') }]);
    });
  });

  describe('a step that keeps failing retryably', () => {
    it('a 404 (the Deployment went since the observation) is tried again: the next pass sets it up again and the order completes', async () => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      let vanished = false;
      const kube: KubePort = {
        ...fake.kube,
        async scaleRevision(t, n, count) {
          if (vanished) return fake.kube.scaleRevision(t, n, count);
          vanished = true;
          fake.replicas.delete(n); // deleted by someone between this pass's observation and its step
          return { ok: false, error: { kind: 'NotFound', status: 404, reason: 'NotFound', message: `deployments.apps "shop-production-r${n}" not found`, object: deployment } };
        },
      };
      const now = Date.now();
      const order = await submit(repos, envId);
      const d = deps(repos, kube, () => new Date(now));
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'AGAIN' }); // prepared: the first batch starts with the Deployment
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'AGAIN' }); // the first batch is done
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'IDLE', at: now + 250 }); // the second batch's scale: 404
      expect((await repos.releases.order(order.id))?.state).toBe('DEPLOYING');
      expect(await repos.releases.openFailuresOf(order.id)).toEqual([]);
      const outcomes: Awaited<ReturnType<typeof reconcileOrder>>[] = [];
      for (let pass = 0; pass < 20 && outcomes.at(-1)?.next !== 'DONE'; pass++) outcomes.push(await reconcileOrder(d, order.id));
      expect((await repos.releases.order(order.id))?.state).toBe('COMPLETED');
      // Set up again at the batch in progress's target (the second, last batch: every instance).
      expect(fake.calls.filter((c) => c.startsWith('ensureRevision'))).toEqual(['ensureRevision 1 2', 'ensureRevision 1 4']);
    });

    it('is tried again with back-off, and fails the order at the batch deadline with the step\'s last error', async () => {
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      const kube: KubePort = { ...fake.kube, scaleRevision: refused(busy) };
      let now = Date.now();
      const order = await submit(repos, envId);
      const d = deps(repos, kube, () => new Date(now), { batchDeadlineMs: 10_000 });
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'AGAIN' }); // prepared: the first batch starts with the Deployment
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'AGAIN' }); // the first batch is done: the second starts now
      const started = (await repos.releases.order(order.id))!.cursor.batchStartedAt!;
      const first = await reconcileOrder(d, order.id);
      expect(first).toEqual({ next: 'IDLE', at: now + 250 });
      const second = await reconcileOrder(d, order.id);
      expect(second).toEqual({ next: 'IDLE', at: now + 500 });
      expect((await repos.releases.order(order.id))?.state).toBe('DEPLOYING');
      now = started + 9_900; // the next try would be after the deadline: it is tried at the deadline
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'IDLE', at: started + 10_000 });
      now = started + 10_000;
      expect(await reconcileOrder(d, order.id)).toEqual({ next: 'AGAIN' });
      expect((await repos.releases.order(order.id))?.state).toBe('FAILED');
      const [failure] = await repos.releases.openFailuresOf(order.id);
      expect(failure).toMatchObject({ instanceName: 'Deployment/shop-production-r1', reason: 'DEADLINE_EXCEEDED' });
      expect(failure!.message).toBe(
        'scale revision 1 to 4: still failing at the batch deadline of 10s (4 attempt(s) in a row); last error: Deployment cairn-shop/shop-production-r1 (HTTP 503): etcdserver: request timed out',
      );
    });

    it('logs a warning once the steps failed N times in a row, at debug before', async () => {
      const lines: Array<{ level: number; msg: string; failuresInARow?: number }> = [];
      const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, done) => (lines.push(JSON.parse(String(c))), done()) }));
      const { repos, envId } = await setUpIn(target);
      const fake = fakeKube();
      const kube: KubePort = { ...fake.kube, scaleRevision: refused(busy) };
      const order = await submit(repos, envId);
      const d = deps(repos, kube, () => new Date(), { logger, warnAfterFailures: 3 });
      // Two passes set up the revision and finish the first batch; then the second batch's scale fails, again and again.
      for (let i = 0; i < 7; i++) await reconcileOrder(d, order.id);
      const failed = lines.filter((l) => l.failuresInARow !== undefined);
      expect(failed.map((l) => [l.failuresInARow, l.level])).toEqual([
        [1, 20],
        [2, 20],
        [3, 40],
        [4, 20],
        [5, 20],
      ]);
      expect(failed[2]!.msg).toBe('release step failed 3 times in a row; still retrying');
      expect((await repos.releases.order(order.id))?.state).toBe('DEPLOYING');
    });
  });
}, ['sqlite-memory', 'postgres']);
