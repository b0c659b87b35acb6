/**
 * Release orders against a sandbox cluster that accepts some requests and never answers them
 * (sandbox faults, so sandbox clusters only): the hung request times out, counts as a failed step
 * that is tried again, and the order goes on — forward, and back when rolled back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginx } from '../../src/sandbox/images/nginx.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { CLUSTERS } from '../e2e/cluster-names.js';
import { SPEED, startCairn, tempDatabase, until, type Cairn, type Sandboxes } from '../e2e/harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from '../e2e/operations.js';

/** Short bounds, so that a hung request gives up within a second. */
const TIMEOUTS = { connectMs: 1000, requestMs: 1000, listMs: 1000, watchIdleMs: 5000 };

let production: SandboxCluster;
let clusters: SandboxCluster[];
let cairn: Cairn;
let db: ReturnType<typeof tempDatabase>;

beforeAll(async () => {
  const images = { nginx: { ...nginx, tags: [...nginx.tags] } };
  clusters = await Promise.all(CLUSTERS.map((name) => startSandboxCluster({ name, speed: SPEED, images })));
  production = clusters[0]!;
  const sandboxes = { clusters, nginxTags: images.nginx.tags } as unknown as Sandboxes;
  db = tempDatabase();
  cairn = await startCairn(sandboxes, db.path, { kubeTimeouts: TIMEOUTS });
});
afterAll(async () => {
  await cairn?.stop();
  await Promise.all((clusters ?? []).map((c) => c.stop()));
  db?.remove();
});

const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};
const deploymentCreates = (namespace: string) => production.counters.requests({ verb: 'create', resource: 'deployments', namespace });

describe('a cluster that never answers some requests', () => {
  it("an order whose Deployment create hangs once completes: the create times out and is sent again", async () => {
    const { envId } = await createApp(cairn, 'hung-create', 'STATELESS');
    await setDraft(cairn, envId, { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    const remove = production.faults.hangRequests({ verb: 'create', resource: 'deployments', namespace: 'cairn-hung-create', times: 1 });
    try {
      const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
      const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 30_000);
      expect(done.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'DONE']);
      // The first create was never answered; the one sent after it timed out was.
      expect(deploymentCreates('cairn-hung-create').map((r) => r.code)).toEqual([0, 201]);
    } finally {
      remove();
    }
  });

  it('a rollback asked while every Deployment create hangs finishes (ROLLED_BACK), not stuck in ROLLING_BACK', async () => {
    const { envId } = await createApp(cairn, 'hung-rollback', 'STATELESS');
    await setDraft(cairn, envId, { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    const remove = production.faults.hangRequests({ verb: 'create', resource: 'deployments', namespace: 'cairn-hung-rollback' });
    try {
      const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
      await production.counters.until(() => deploymentCreates('cairn-hung-rollback').length > 0, 20_000);
      const order = await readOrder(cairn, id);
      expect(order).toMatchObject({ state: 'DEPLOYING', batchesDone: 0 });
      const rolling = await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id });
      expect(rolling.releaseOrder.state).toBe('ROLLING_BACK');
      const back = await until('ROLLED_BACK', stateIs(id, 'ROLLED_BACK'), 30_000);
      expect(back.transitions.map((t: { to: string }) => t.to)).toEqual(['DEPLOYING', 'ROLLING_BACK', 'ROLLED_BACK']);
      expect(deploymentCreates('cairn-hung-rollback').every((r) => r.code === 0)).toBe(true);
    } finally {
      remove();
    }
  });
});
