/** Level-triggered but not busy: once everything has settled, resyncs write nothing. */
import { afterEach, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, SERVICES, STATEFULSETS, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

describe('settled cluster', () => {
  it('makes no writes across several resync periods', async () => {
    h = startHarness({ speed: 300 }); // resync every 30 simulated seconds = 100 ms
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web', { replicas: 2 }));
    h.store.create(STATEFULSETS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'pg:1' }] } } },
    });
    h.store.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await h.until(() => {
      const d = h.store.get(DEPLOYMENTS, 'default', 'web')?.status as any;
      const s = h.store.get(STATEFULSETS, 'default', 'db')?.status as any;
      return d?.availableReplicas === 2 && s?.readyReplicas === 2 && (d.conditions ?? []).some((c: any) => c.reason === 'NewReplicaSetAvailable');
    }, 'settled');
    // Let in-flight reconciles finish: wait until the resourceVersion stops moving between two checks.
    let last = h.store.currentVersion();
    await h.until(() => {
      const v = h.store.currentVersion();
      const quiet = v === last;
      last = v;
      return quiet;
    }, 'quiet', 5_000);
    const before = h.seen.length;
    // Asserting that nothing happens needs time to pass: four resync periods.
    await new Promise((r) => setTimeout(r, 400));
    expect(h.seen.slice(before).map((e) => `${e.type} ${e.key} ${e.object.metadata.name}`)).toEqual([]);
  });
});
