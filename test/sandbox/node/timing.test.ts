/** Timing a kubelet shows — back-off, serialized pulls — measured in simulated seconds through the API, on a slower clock. */
import type { V1Container } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastCluster, status, waitForEvent, waitForPod, type TestCluster } from './helpers.js';

describe('timing (simulated seconds)', () => {
  let t: TestCluster;
  beforeAll(async () => {
    // A slower clock than the other tests: watch latency must stay small in simulated seconds.
    t = await fastCluster(20);
  });
  afterAll(async () => {
    await t?.stop();
  });
  let n = 0;
  const run = async (container: Partial<V1Container> & { image: string }) => {
    const name = `b${++n}`;
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name }, spec: { nodeName: t.node, containers: [{ name: 'app', ...container }] } } });
    return name;
  };

  const simSecondsSince = (realStart: number) => ((Date.now() - realStart) * t.cluster.clock.speed) / 1000;

  it('image pull back-off doubles: the third pull comes about 20 s after the failed second one', async () => {
    const pod = await run({ image: 'nginx:0.0.0-missing' });
    await waitForEvent(t, pod, 'Pulling', 'Pulling image', 15_000, 2);
    const start = Date.now();
    await waitForEvent(t, pod, 'Pulling', 'Pulling image', 15_000, 3);
    // second pull (0.9 s) fails, back-off 20 s, third pull ≈ 21 s after the second began
    const elapsed = simSecondsSince(start);
    expect(elapsed).toBeGreaterThanOrEqual(18);
    expect(elapsed).toBeLessThan(32);
  });

  it('crash restarts: immediately, then after 10 s, then after 20 s', async () => {
    const pod = await run({ image: 'cairn/demo:crash' });
    await waitForPod(t, pod, (p) => status(p)?.restartCount === 1);
    const start = Date.now();
    await waitForPod(t, pod, (p) => status(p)?.restartCount === 3, 'restartCount 3');
    // crash (1.5 s) + 10 s back-off + crash (1.5 s) + 20 s back-off ≈ 33 s
    const elapsed = simSecondsSince(start);
    expect(elapsed).toBeGreaterThanOrEqual(30);
    expect(elapsed).toBeLessThan(50);
  });

  it('a second pod asking for an image being pulled waits for that pull; a later one finds it present', async () => {
    const a = await run({ image: 'tomcat:10.1' });
    const b = await run({ image: 'tomcat:10.1' });
    const first = await waitForEvent(t, a, 'Pulled', 'Successfully pulled image "tomcat:10.1" in 6.5s');
    expect(first.message).toContain('(6.5s including waiting). Image size: 190000000 bytes.');
    const second = await waitForEvent(t, b, 'Pulled', 'Successfully pulled image "tomcat:10.1" in 40ms');
    const waited = Number(/in 40ms \(([\d.]+)s including waiting\)/.exec(second.message ?? '')?.[1]);
    expect(waited).toBeGreaterThan(3); // it waited for most of the first pod's 6.5 s pull
    expect(waited).toBeLessThan(10);
    await waitForPod(t, b, (p) => Boolean(status(p)?.state?.running));
    const c = await run({ image: 'tomcat:10.1' });
    await waitForEvent(t, c, 'Pulled', 'Container image "tomcat:10.1" already present on machine');
  });
});
