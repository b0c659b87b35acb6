import { afterEach, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, REPLICASETS, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

describe('smoke', () => {
  it('deployment to ready pods', async () => {
    h = startHarness();
    h.autoKubelet();
    h.store.create(DEPLOYMENTS, deployment('web'));
    const d = await h.until(() => {
      const d = h.store.get(DEPLOYMENTS, 'default', 'web');
      return (d?.status as any)?.availableReplicas === 3 && d;
    }, 'available');
    console.log(JSON.stringify(d, null, 1));
    console.log(h.store.list(REPLICASETS).items.map((r) => r.metadata.name));
    console.log(h.pods().map((p) => [p.metadata.name, (p.spec as any).nodeName]));
    console.log(h.events().map((e) => `${e.reason} ${e.message}`));
    expect(1).toBe(1);
  });
});
