import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { deployment, startServer, type TestServer } from './helpers.js';

let s: TestServer;
let api: KubernetesObjectApi;
beforeAll(async () => {
  s = await startServer();
  api = KubernetesObjectApi.makeApiClient(s.kc);
});
afterAll(() => s.close());

describe('client-node KubernetesObjectApi (resource names found through discovery)', () => {
  it('creates, reads, patches with each strategy, lists and deletes', async () => {
    const created = await api.create(deployment('generic', 1) as KubernetesObject & { metadata: { namespace?: string } });
    expect(created.metadata?.namespace).toBe('default');
    const read = (await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic', namespace: 'default' } })) as { spec: { replicas: number } };
    expect(read.spec.replicas).toBe(1);

    const merged = (await api.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic', namespace: 'default' }, spec: { replicas: 2 } } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    )) as { spec: { replicas: number } };
    expect(merged.spec.replicas).toBe(2);

    const strategic = (await api.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'generic', namespace: 'default' },
        spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
      } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.StrategicMergePatch,
    )) as { spec: { template: { spec: { containers: { name: string }[] } } } };
    // Strategic merge keys containers by name: the sidecar joins, the app container stays.
    expect(strategic.spec.template.spec.containers.map((c) => c.name).sort()).toEqual(['app', 'sidecar']);

    const list = await api.list('apps/v1', 'Deployment', 'default');
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['generic']);
    await api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic', namespace: 'default' } });
    expect(s.store.get('apps/deployments', 'default', 'generic')).toBeUndefined();
  });
});
