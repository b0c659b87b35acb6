/** Restart survival: cairn is stopped mid-release, again and again; a new one on the same database finishes the order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { recordNamespace, type ClusterRecorder } from './cluster-recorder.js';
import { startCairn, startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let db: ReturnType<typeof tempDatabase>;
const running: Cairn[] = [];
let rec: ClusterRecorder | undefined;

beforeAll(async () => {
  sandboxes = await startSandboxes();
  db = tempDatabase();
});
afterAll(async () => {
  rec?.stop();
  for (const c of running) await c.stop().catch(() => undefined);
  await sandboxes?.stop();
  db?.remove();
});

async function start(): Promise<Cairn> {
  const c = await startCairn(sandboxes, db.path);
  running.push(c);
  return c;
}
async function stop(c: Cairn): Promise<void> {
  running.splice(running.indexOf(c), 1);
  await c.stop();
}
const stateIs = (cairn: Cairn, id: string, state: string, batchesDone?: number) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state && (batchesDone === undefined || o.batchesDone === batchesDone) ? o : undefined;
};

describe('restart survival', () => {
  it('an order stopped right after submission and in the middle of batches completes, each batch applied once, in order', async () => {
    let cairn = await start();
    const { envId } = await createApp(cairn, 'steady', 'STATELESS');
    await setDraft(cairn, envId, { instances: 4, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
    await until('first release', stateIs(cairn, first.id, 'COMPLETED'));

    // A recorder watches the workloads from the test's side; the stops happen at points of the cluster's progress.
    rec = await recordNamespace(sandboxes.kubeConfig('e2e-production'), 'cairn-steady');
    const deployment = (revision: number) => [...rec!.workloads.values()].find((w) => w.kind === 'Deployment' && w.revision === revision);
    const stopPoints = [
      { what: 'batch 2 scaled up', test: () => deployment(2)?.replicas.at(-1) === 2 },
      { what: 'batch 3 scaled down', test: () => deployment(1)?.replicas.at(-1) === 1 },
      { what: 'batch 4 scaled up', test: () => deployment(2)?.replicas.at(-1) === 4 },
    ];
    await setDraft(cairn, envId, { instances: 4, tag: '1.27', greeting: 'two', file: 'two' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 4, pauseMode: 'EVERY_BATCH' })).releaseOrder.id;
    await stop(cairn); // right after submission: nothing applied yet, perhaps

    for (let batch = 1; batch <= 3; batch++) {
      cairn = await start();
      await until(`pause after batch ${batch}`, stateIs(cairn, id, 'PAUSED', batch));
      await orderAction(cairn, 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
      const point = stopPoints[batch - 1]!;
      await rec.when(point.what, point.test); // stop inside the next batch
      await stop(cairn);
    }
    cairn = await start();
    const done = await until('COMPLETED', stateIs(cairn, id, 'COMPLETED'));
    expect(done.batchesDone).toBe(4);
    const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { reason: string }) => t.reason.split(':')[0]);
    expect(engine).toEqual(['batch 1 of 4 done', 'batch 2 of 4 done', 'batch 3 of 4 done', 'batch 4 of 4 done']);

    const target: EnvironmentTarget = { cluster: 'e2e-production', namespace: 'cairn-steady', appName: 'steady', appType: 'STATELESS', environmentKind: 'PRODUCTION' };
    const o = await until('old revision gone', async () => {
      const r = await cairn.kube.observeEnvironment(target);
      return r.ok && r.value.instances.every((p) => p.terminating || p.revision === 2) ? r.value : undefined;
    });
    expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
      [1, 0],
      [2, 4],
    ]);
    expect(o.instances.filter((p) => !p.terminating && p.ready)).toHaveLength(4);
    // From the cluster's side: one step per batch, never back, no new rollout of either Deployment.
    // (The new Deployment is created at the first batch's size: the batch starts with it.)
    expect(deployment(2)!.replicas).toEqual([1, 2, 3, 4]);
    expect(deployment(1)!.replicas).toEqual([4, 3, 2, 1, 0]);
    expect([deployment(1)!.rollouts, deployment(2)!.rollouts]).toEqual([['1'], ['1']]);
    expect([...rec.pods.values()].filter((p) => p.revision === 2)).toHaveLength(4);
  });
});
