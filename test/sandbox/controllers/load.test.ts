/** A few hundred pods: everything settles and spreads evenly (bench/controllers-load.ts prints how long it takes). */
import { afterEach, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, node, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

describe('load', () => {
  it('30 deployments of 10 replicas on 10 nodes become available', async () => {
    h = startHarness({ nodes: Array.from({ length: 10 }, (_, i) => node(`node-${i}`, { cpu: '32', memory: '64Gi' })) });
    h.autoKubelet();
    for (let i = 0; i < 30; i++) h.store.create(DEPLOYMENTS, deployment(`app-${i}`, { replicas: 10 }));
    await h.until(
      () => h.store.list(DEPLOYMENTS).items.every((d) => (d.status as any)?.availableReplicas === 10),
      'all available',
      25_000,
    );
    const perNode = new Map<string, number>();
    for (const p of h.pods()) perNode.set((p.spec as any).nodeName, (perNode.get((p.spec as any).nodeName) ?? 0) + 1);
    expect([...perNode.values()].every((n) => n === 30)).toBe(true); // least allocated spreads evenly
  }, 30_000);
});
