/** Which old revisions' objects go after an order completes (engine/prune.ts), and the engine doing it. */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneCandidates, revisionsToPrune } from '../../src/engine/prune.js';
import { createReconciler, type Reconciler } from '../../src/engine/reconciler.js';
import type { RevisionInCluster } from '../../src/kube/workloads-types.js';
import { describeEachDatabase } from '../db/each-database.js';
import { fakeKube, setUp, submit } from './fake-kube.js';

const rev = (number: number, replicas = 0, deleting = false): RevisionInCluster => ({
  number,
  workload: `shop-production-r${number}`,
  replicas,
  releaseOrderId: null,
  deleting,
});

describe('revisionsToPrune', () => {
  it.each<[string, RevisionInCluster[], number, number[], number[]]>([
    ['nothing beyond the kept ones', [rev(1), rev(2), rev(3)], 5, [3, 2], []],
    ['the oldest beyond the kept ones, oldest first', [rev(1), rev(2), rev(3), rev(4), rev(5), rev(6), rev(7)], 5, [7, 6], [1, 2]],
    ['never a protected one (an active order of an old revision)', [rev(1), rev(2), rev(3), rev(4)], 2, [4, 3, 1], [2]],
    ['never one that still has replicas', [rev(1, 2), rev(2), rev(3), rev(4)], 2, [4, 3], [2]],
    ['never one already being deleted', [rev(1, 0, true), rev(2), rev(3), rev(4)], 2, [4, 3], [2]],
    ['the kept ones are the newest, whatever the listing order', [rev(9), rev(3), rev(7), rev(1)], 2, [9, 7], [1, 3]],
    ['ConfigMap/Secret-only revisions (stateful) count too', [rev(1), rev(2), rev(3)], 2, [3], [1]],
  ])('%s', (_what, inCluster, keep, protect, expected) => {
    expect(revisionsToPrune(inCluster, keep, protect)).toEqual(expected);
  });
});

describe('pruneCandidates: the stored revisions whose ConfigMap and Secret may be left (never listed)', () => {
  it.each<[number, number, number[]]>([
    [0, 5, []],
    [3, 5, [1, 2, 3]],
    [12, 5, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    [7, 2, [4, 5, 6, 7]],
  ])('newest %i, keep %i', (newest, keep, expected) => expect(pruneCandidates(newest, keep)).toEqual(expected));
});

describeEachDatabase('pruning after a completed order', (target) => {
  const reconcilers: Reconciler[] = [];
  afterEach(async () => {
    for (const r of reconcilers.splice(0)) await r.stop();
  });

  it('removes the revisions beyond CAIRN_REVISIONS_KEPT, keeping the running and the previous one', async () => {
    const { repos, envId } = await setUp(target);
    const fake = fakeKube();
    const reconciler = createReconciler({ repos, kube: fake.kube, logger: pino({ level: 'silent' }), batchDeadlineMs: 60_000, resyncIntervalMs: 60_000, revisionsKept: 2 });
    reconcilers.push(reconciler);
    reconciler.start();
    for (let i = 0; i < 4; i++) {
      const order = await submit(repos, envId);
      reconciler.wake(order.id);
      await reconciler.idle();
      expect((await repos.releases.order(order.id))?.state).toBe('COMPLETED');
    }
    expect(fake.calls.filter((c) => c.startsWith('remove'))).toEqual(['remove 1', 'remove 2']);
    expect([...fake.replicas.keys()].sort()).toEqual([3, 4]);
    expect(fake.replicas.get(4)).toBe(4);
  });
}, ['sqlite-memory', 'postgres']);
