/**
 * The assertion of the upstream spec "[k8s.io] Probing container with readiness probe should not be
 * ready before initial delay and never restart": the pod's Ready condition turns True no sooner than
 * `initialDelaySeconds` after the container's `state.running.startedAt` — both read from the API,
 * at their one-second precision — and the container is never restarted. Real time (speed 1), since
 * the spec compares wall-clock timestamps; a short delay and period keep it to a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, fastCluster, status, waitForPod, type TestCluster } from '../node/helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(1);
});
afterAll(() => t?.stop());

describe('readiness probe initial delay', () => {
  it('Ready turns True no sooner than initialDelaySeconds after the container started; no restart', async () => {
    const initialDelaySeconds = 2;
    await t.core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'test-webserver' },
        spec: {
          containers: [
            {
              name: 'test-webserver',
              image: 'docker.io/library/httpd:2.4.38-alpine',
              ports: [{ containerPort: 80 }],
              readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    const ready = await waitForPod(t, 'test-webserver', (p) => condition(p, 'Ready')?.status === 'True', 'pod ready', 30_000);
    const startedAt = status(ready)?.state?.running?.startedAt;
    const readyAt = condition(ready, 'Ready')?.lastTransitionTime;
    expect(startedAt).toBeDefined();
    expect(readyAt).toBeDefined();
    expect(new Date(readyAt!).getTime() - new Date(startedAt!).getTime()).toBeGreaterThanOrEqual(initialDelaySeconds * 1000);
    expect(status(ready)?.restartCount).toBe(0);
  });
});
