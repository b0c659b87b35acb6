/**
 * A new app's namespaces are made when the app is created (by the process that runs the engine), so that its
 * first release starts with its own objects: no namespace, RoleBinding or access review on the release's path (and
 * no list: the engine observes, and prunes after the order, from the informer caches).
 */
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxCluster } from '../../src/sandbox/cluster.js';
import { startCairn, startCountedSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from '../e2e/harness.js';
import { createApp, createOrder, readOrder, setDraft } from '../e2e/operations.js';

let clusters: SandboxCluster[];
let sandboxes: Sandboxes;
let cairn: Cairn;
const db = tempDatabase();

beforeAll(async () => {
  ({ clusters, sandboxes } = await startCountedSandboxes());
  cairn = await startCairn(sandboxes, db.path);
});
afterAll(async () => {
  await cairn?.stop();
  await Promise.all((clusters ?? []).map((c) => c.stop()));
  db.remove();
});

const SETUP = ['namespaces', 'rolebindings', 'selfsubjectaccessreviews'];

it("creating an app makes its namespace and cairn's binding on both clusters; its first release sends neither, nor an access review, nor a list", async () => {
  const app = await createApp(cairn, 'early', 'STATELESS');
  await cairn.reconciler.idle();
  for (const c of clusters) {
    const kc = sandboxes.kubeConfig(c.name);
    const namespace = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'cairn-early' });
    expect(namespace.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'cairn' });
    const binding = await kc.makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: 'cairn', namespace: 'cairn-early' });
    expect(binding.roleRef.name).toBe('cairn-namespace');
  }

  await setDraft(cairn, app.envId, { instances: 2, tag: '1.27', greeting: 'hi', file: 'f' });
  for (const c of clusters) c.counters.reset();
  const order = (await createOrder(cairn, { environment: app.envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
  await until('COMPLETED', async () => ((await readOrder(cairn, order.id)).state === 'COMPLETED' ? true : undefined));
  const sent = clusters.flatMap((c) => c.counters.requests().filter((r) => r.verb !== 'watch').map((r) => `${c.name}: ${r.verb} ${r.resource}`));
  expect(sent.filter((r) => SETUP.some((resource) => r.endsWith(` ${resource}`)))).toEqual([]);
  // The release's own objects were made.
  expect(sent).toEqual(expect.arrayContaining([expect.stringMatching(/create services$/), expect.stringMatching(/create deployments$/)]));
  // No pod, event or workload is listed in the namespace, the pruning after the order included: the engine reads the
  // informer caches (the sandbox's own node agent lists Services there: not cairn).
  await cairn.reconciler.idle();
  const lists = clusters.flatMap((c) => c.counters.requests({ verb: 'list', namespace: 'cairn-early' }).map((r) => `${c.name}: ${r.verb} ${r.path}`));
  expect(lists.filter((r) => !r.endsWith('/services'))).toEqual([]);
});
