/**
 * Steps the API server refuses for good fail the order within seconds (CLUSTER_REFUSED), visible in
 * the API and its subscription; retry once the cause is gone completes it. And a release that maps
 * no port any more removes the environment's Service, which its rollback brings back. Runs on sandbox clusters (npm test) and on
 * real kube-apiservers (npm run test:k8s): the refusals are the API server's own answers.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { until, useCairn, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));

const production = () => sandboxes.kubeConfig('e2e-production');
const core = () => production().makeApiClient(CoreV1Api);
const apps = () => production().makeApiClient(AppsV1Api);
const stateIs = (id: string, state: string) => async () => {
  const o = await readOrder(cairn, id);
  return o.state === state ? o : undefined;
};
const draft = { instances: 2, tag: '1.25', greeting: 'a', file: 'a' };
const failureReason = async (id: string) => (await cairn.gql(`query ($id: ID!) { releaseOrder(id: $id) { failureReason } }`, { id })).data.releaseOrder.failureReason;

async function ensureNamespace(name: string) {
  await core()
    .createNamespace({ body: { metadata: { name } } })
    .catch((e: { code?: number }) => {
      if (e.code !== 409) throw e;
    });
}

describe('a step the cluster refuses for good', () => {
  it('a Deployment of that name running another image: FAILED within seconds with CLUSTER_REFUSED; retry completes once it is gone', async () => {
    const { envId } = await createApp(cairn, 'squatted', 'STATELESS');
    await setDraft(cairn, envId, draft);
    await ensureNamespace('cairn-squatted');
    await apps().createNamespacedDeployment({
      namespace: 'cairn-squatted',
      body: {
        metadata: { name: 'squatted-production-r1' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'squatter' } },
          template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.0' }] } },
        },
      },
    });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const sub = cairn.subscribe(`subscription ($id: ID!) { releaseOrderUpdated(id: $id) { releaseOrder { state failures { instanceName reason } } } }`, { id });
    let streamed;
    do streamed = (await sub.next()).data.releaseOrderUpdated.releaseOrder;
    while (streamed.state !== 'FAILED');
    sub.close();
    // Failed by the refusal, not by the batch deadline (30 s here), which would say DEADLINE_EXCEEDED.
    expect(streamed.failures).toEqual([{ instanceName: 'Deployment/squatted-production-r1', reason: 'CLUSTER_REFUSED' }]);

    const failed = await readOrder(cairn, id);
    expect(await failureReason(id)).toBe('CLUSTER_REFUSED');
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0].message).toContain('Deployment cairn-squatted/squatted-production-r1');
    expect(failed.failures[0].message).toContain('runs nginx:1.0, not nginx:1.25');
    expect(failed.batches[0]).toMatchObject({ state: 'FAILED', failures: [{ reason: 'CLUSTER_REFUSED' }] });
    expect(failed.transitions.at(-1)).toMatchObject({ to: 'FAILED', actor: 'cairn', reason: expect.stringContaining('CLUSTER_REFUSED') });
    // Not adopted: still the squatter's.
    expect((await apps().readNamespacedDeployment({ name: 'squatted-production-r1', namespace: 'cairn-squatted' })).spec?.template?.spec?.containers[0]?.image).toBe('nginx:1.0');

    await apps().deleteNamespacedDeployment({ name: 'squatted-production-r1', namespace: 'cairn-squatted' });
    await until('the squatter gone', async () => ((await apps().listNamespacedDeployment({ namespace: 'cairn-squatted' })).items.length === 0 ? true : undefined));
    const retried = await orderAction(cairn, 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    expect(retried.releaseOrder.state).toBe('DEPLOYING');
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 60_000);
    expect(done.transitions.map((t: { to: string }) => t.to)).toEqual(['DEPLOYING', 'FAILED', 'DEPLOYING', 'COMPLETED']);
    expect(done.failures).toMatchObject([{ reason: 'CLUSTER_REFUSED', resolvedAt: expect.any(String) }]);
  });

  it('a namespace being deleted (403 Forbidden): FAILED with the API server\'s message; rollback ends the order', async () => {
    const { envId } = await createApp(cairn, 'leaving', 'STATELESS');
    await setDraft(cairn, envId, draft);
    await ensureNamespace('cairn-leaving');
    // Something not yet cleaned up (a finalizer) holds the namespace in Terminating.
    await core().createNamespacedConfigMap({ namespace: 'cairn-leaving', body: { metadata: { name: 'held', finalizers: ['cairn.dev/e2e-hold'] } } });
    await core().deleteNamespace({ name: 'cairn-leaving' });
    const id = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED'), 10_000);
    expect(failed.failures).toMatchObject([{ instanceName: 'Service/leaving-production', reason: 'CLUSTER_REFUSED' }]);
    expect(failed.failures[0].message).toContain('(HTTP 403 Forbidden)');
    expect(failed.failures[0].message).toContain('unable to create new content in namespace cairn-leaving because it is being terminated');
    await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id });
    await until('ROLLED_BACK', stateIs(id, 'ROLLED_BACK'));
    await core().patchNamespacedConfigMap({ name: 'held', namespace: 'cairn-leaving', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  });
});

describe('objects a release no longer needs', () => {
  it('a release that maps no port removes the environment\'s Service', async () => {
    const { envId } = await createApp(cairn, 'portless', 'STATELESS');
    await setDraft(cairn, envId, draft);
    const first = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    await until('first release', stateIs(first, 'COMPLETED'), 60_000);
    const services = async () => (await core().listNamespacedService({ namespace: 'cairn-portless' })).items.map((s) => s.metadata!.name);
    expect(await services()).toEqual(['portless-production']);
    await setDraft(cairn, envId, { ...draft, greeting: 'b', ports: [] });
    const second = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    await until('second release', stateIs(second, 'COMPLETED'), 60_000);
    expect(await services()).toEqual([]);
  });

  it('rolling back a release that mapped no port (or other ports) brings the Service back with the previous ports', async () => {
    const { envId } = await createApp(cairn, 'portback', 'STATELESS');
    await setDraft(cairn, envId, draft);
    const first = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    await until('first release', stateIs(first, 'COMPLETED'), 60_000);
    const ports = async () =>
      (await core().listNamespacedService({ namespace: 'cairn-portback' })).items.map((s) => ({ name: s.metadata!.name, ports: s.spec!.ports!.map((p) => `${p.name}:${p.port}`) }));
    const before = await ports();
    expect(before).toEqual([{ name: 'portback-production', ports: ['http:80'] }]);

    // No port: the Service goes while the release runs, and comes back with the rollback.
    await setDraft(cairn, envId, { ...draft, greeting: 'b', ports: [] });
    const portless = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    await until('PAUSED', stateIs(portless, 'PAUSED'), 60_000);
    expect(await ports()).toEqual([]);
    await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id: portless });
    await until('ROLLED_BACK', stateIs(portless, 'ROLLED_BACK'), 60_000);
    expect(await ports()).toEqual(before);

    // Other ports: the rollback restores the previous ones.
    await setDraft(cairn, envId, { ...draft, greeting: 'c', ports: [{ containerPort: 8080, protocol: 'TCP', name: 'alt' }] });
    const moved = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    await until('PAUSED', stateIs(moved, 'PAUSED'), 60_000);
    expect((await ports())[0]!.ports).not.toEqual(before[0]!.ports);
    await orderAction(cairn, 'rollbackReleaseOrder', 'RollbackReleaseOrderInput', { id: moved });
    await until('ROLLED_BACK', stateIs(moved, 'ROLLED_BACK'), 60_000);
    expect(await ports()).toEqual(before);
  });
});
