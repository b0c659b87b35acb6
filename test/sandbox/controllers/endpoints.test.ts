/** Endpoints for Services, on the real store with all controllers running. */
import { afterEach, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, ENDPOINTS, SERVICES, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

const subsets = (h: Harness) => (h.store.get(ENDPOINTS, 'default', 'web')?.subsets ?? []) as any[];

describe('endpoints', () => {
  it('lists ready pods under addresses and not-ready ones under notReadyAddresses, and goes with the service', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2 }));
    h.store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { team: 'x' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    await h.until(() => subsets(h)[0]?.addresses?.length === 2, 'two ready addresses');
    const [subset] = subsets(h);
    expect(subset.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const pods = h.pods();
    for (const a of subset.addresses) {
      const p = pods.find((x) => x.metadata.name === a.targetRef.name)!;
      expect(a).toEqual({ ip: (p.status as any).podIP, nodeName: (p.spec as any).nodeName, targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid } });
    }
    expect(h.store.get(ENDPOINTS, 'default', 'web')!.metadata.labels).toEqual({ team: 'x' });

    const victim = pods[0]!;
    h.setPodState('default', victim.metadata.name!, { ready: false });
    await h.until(() => subsets(h)[0]?.notReadyAddresses?.length === 1, 'one not ready');
    expect(subsets(h)[0].notReadyAddresses[0].targetRef.name).toBe(victim.metadata.name);
    expect(subsets(h)[0].addresses).toHaveLength(1);

    h.store.delete(SERVICES, 'default', 'web');
    await h.until(() => !h.store.get(ENDPOINTS, 'default', 'web'), 'endpoints deleted');
  });

  it('leaves services without a selector alone', async () => {
    h = startHarness();
    h.store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    h.store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sel', namespace: 'default' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } });
    await h.until(() => h.store.get(ENDPOINTS, 'default', 'sel'), 'endpoints for the selecting service');
    expect(h.store.get(ENDPOINTS, 'default', 'ext')).toBeUndefined();
    expect(h.store.get(ENDPOINTS, 'default', 'sel')!.subsets).toBeUndefined();
  });
});
