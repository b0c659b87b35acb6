/** Garbage collection through ownerReferences, on the real store with all controllers running. */
import { afterEach, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, REPLICASETS, startHarness, type Harness } from './harness.js';
import type { KubeObject } from '../../../src/sandbox/store/types.js';

let h: Harness;
afterEach(() => h?.stop());

async function running(h: Harness, replicas = 2) {
  h.autoKubelet();
  h.store.create(DEPLOYMENTS, deployment('web', { replicas }));
  await h.until(() => h.pods('default', (p) => ((p.status as any).conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length === replicas, 'pods ready');
}

const configMap = (name: string, owner?: KubeObject, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'default',
    ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, blockOwnerDeletion: true }] } : {}),
    ...extra,
  },
  data: {},
});

describe('garbage collector', () => {
  it('background: deleting a Deployment removes its ReplicaSets and pods', async () => {
    h = startHarness();
    await running(h);
    h.store.delete(DEPLOYMENTS, 'default', 'web');
    await h.until(() => h.store.list(REPLICASETS).items.length === 0 && h.pods().length === 0, 'dependents gone');
  });

  it('foreground: the Deployment stays (with its finalizer) until its ReplicaSets and pods are gone', async () => {
    h = startHarness();
    await running(h);
    let leftWhenOwnerWent = -1;
    h.store.subscribe((e) => {
      if (e.key === DEPLOYMENTS && e.type === 'DELETED') leftWhenOwnerWent = h.store.list(REPLICASETS).items.length + h.pods().length;
    });
    h.store.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Foreground' });
    const marked = h.store.get(DEPLOYMENTS, 'default', 'web')!;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    await h.until(() => !h.store.get(DEPLOYMENTS, 'default', 'web'), 'owner gone');
    expect(leftWhenOwnerWent).toBe(0);
  });

  it('orphan: ReplicaSets and pods stay, without the reference to the deleted Deployment', async () => {
    h = startHarness();
    await running(h);
    h.store.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Orphan' });
    await h.until(() => !h.store.get(DEPLOYMENTS, 'default', 'web'), 'owner gone');
    const [rs] = h.store.list(REPLICASETS).items;
    expect(rs!.metadata.ownerReferences).toBeUndefined();
    expect(h.pods()).toHaveLength(2);
  });

  it('deleting a StatefulSet removes its pods and ControllerRevisions', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create('apps/statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { replicas: 2, podManagementPolicy: 'Parallel', serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'pg:1' }] } } },
    });
    await h.until(() => h.pods().length === 2 && h.store.list('apps/controllerrevisions').items.length === 1, 'running');
    h.store.delete('apps/statefulsets', 'default', 'db');
    await h.until(() => h.pods().length === 0 && h.store.list('apps/controllerrevisions').items.length === 0, 'dependents gone');
  });

  it('an orphan finalizer set by a client is honoured', async () => {
    h = startHarness();
    const owner = h.store.create('/configmaps', configMap('owner', undefined, { finalizers: ['orphan'] }));
    h.store.create('/configmaps', configMap('dep', owner));
    h.store.delete('/configmaps', 'default', 'owner');
    await h.until(() => !h.store.get('/configmaps', 'default', 'owner'), 'owner gone');
    expect(h.store.get('/configmaps', 'default', 'dep')!.metadata.ownerReferences).toBeUndefined();
  });

  it('removes only dangling references when another owner is alive, and deletes objects whose owner never existed', async () => {
    h = startHarness();
    const a = h.store.create('/configmaps', configMap('a'));
    const b = h.store.create('/configmaps', configMap('b'));
    const dep = configMap('dep', a);
    dep.metadata.ownerReferences!.push({ apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: b.metadata.uid! });
    h.store.create('/configmaps', dep);
    h.store.create('/configmaps', configMap('stray', { ...a, metadata: { ...a.metadata, name: 'ghost', uid: 'no-such-uid' } }));
    h.store.delete('/configmaps', 'default', 'b');
    await h.until(() => h.store.get('/configmaps', 'default', 'dep')!.metadata.ownerReferences?.length === 1, 'dangling ref dropped');
    expect(h.store.get('/configmaps', 'default', 'dep')!.metadata.ownerReferences![0]!.name).toBe('a');
    await h.until(() => !h.store.get('/configmaps', 'default', 'stray'), 'stray collected');
  });
});
