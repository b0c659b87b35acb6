/**
 * Watch, don't list: once the informer caches are warm, a console page (apps → environments →
 * instances, running count, active order with its batches, events) and the release engine's passes
 * send no request to the cluster — the sandbox API servers' request counters see only watches.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxCluster } from '../../src/sandbox/cluster.js';
import { startCairn, startCountedSandboxes, tempDatabase, until, type Cairn } from '../e2e/harness.js';
import { createApp, createOrder, readOrder, setDraft } from '../e2e/operations.js';

let clusters: SandboxCluster[];
let cairn: Cairn;
const db = tempDatabase();

const CONSOLE_PAGE = `query {
  apps(first: 50) { totalCount edges { node { id name appType environments {
    id kind clusterName desiredInstances runningInstances
    deployedRevision { number }
    activeReleaseOrder { id state batches { number state instances { name ready revision } } }
    instances { name status revision ready }
    events(first: 10) { edges { node { reason message } } }
    config { version instances }
  } } } }
}`;

beforeAll(async () => {
  const started = await startCountedSandboxes();
  clusters = started.clusters;
  cairn = await startCairn(started.sandboxes, db.path);
});
afterAll(async () => {
  await cairn?.stop();
  await Promise.all((clusters ?? []).map((c) => c.stop()));
  db.remove();
});

it('a console page and the engine passes send no request to a cluster once the caches are warm', async () => {
  // One app released, one whose order waits for instances that never get Ready.
  const done = await createApp(cairn, 'warm', 'STATELESS');
  await setDraft(cairn, done.envId, { instances: 2, tag: '1.27', greeting: 'hi', file: 'f' });
  const first = (await createOrder(cairn, { environment: done.envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
  await until('COMPLETED', async () => ((await readOrder(cairn, first.id)).state === 'COMPLETED' ? true : undefined));
  const waiting = await createApp(cairn, 'waiting', 'STATEFUL');
  await setDraft(cairn, waiting.envId, { instances: 2, tag: '1.27', greeting: 'hi', file: 'f', readyAfterSeconds: 3600 });
  const stuck = (await createOrder(cairn, { environment: waiting.envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
  await until('instances of the waiting order', async () => {
    const order = await readOrder(cairn, stuck.id);
    return order.batches[0]?.instances.length === 1 ? true : undefined;
  });

  const warm = await cairn.gql(CONSOLE_PAGE);
  expect(warm.errors).toBeUndefined();
  await cairn.reconciler.idle();
  for (const c of clusters) c.counters.reset();

  for (let n = 0; n < 3; n++) {
    const page = await cairn.gql(CONSOLE_PAGE);
    expect(page.errors).toBeUndefined();
    const apps = page.data.apps.edges.map((e: any) => e.node);
    const released = apps.find((a: any) => a.name === 'warm').environments.find((e: any) => e.kind === 'PRODUCTION');
    expect(released).toMatchObject({ runningInstances: 2, deployedRevision: { number: 1 }, activeReleaseOrder: null });
    expect(released.instances.map((i: any) => i.ready)).toEqual([true, true]);
    const pending = apps.find((a: any) => a.name === 'waiting').environments.find((e: any) => e.kind === 'PRODUCTION');
    expect(pending.activeReleaseOrder).toMatchObject({ state: 'DEPLOYING', batches: [{ number: 1, state: 'IN_PROGRESS' }, { number: 2 }] });
    expect(pending.activeReleaseOrder.batches[0].instances).toHaveLength(1);
    // The engine's passes over the waiting order observe its environment from the caches.
    const orderId = Number((await cairn.repos.releases.activeOrders()).find((o) => o.state === 'DEPLOYING')!.id);
    cairn.reconciler.wake(orderId);
    await cairn.reconciler.idle();
  }

  const sent = clusters.flatMap((c) => c.counters.requests().filter((r) => r.verb !== 'watch').map((r) => `${c.name}: ${r.verb} ${r.path}`));
  expect(sent).toEqual([]);
});
