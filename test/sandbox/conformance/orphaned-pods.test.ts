/**
 * Conformance with kube-controller-manager (v1.20.2, scripts/real-cluster): the pod garbage
 * collector force-deletes a pod bound to a node that no longer exists, once the node has stayed
 * missing for its 40 s quarantine — even with no kubelet to finish the pod. (Seen on the real
 * control plane: a pod bound to a node that was never registered is gone within a minute.)
 * Pods on nodes that exist are left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QUARANTINE_MS } from '../../../src/sandbox/controllers/podgc.js';
import { NODES, PODS, node, startHarness, type Harness } from '../controllers/harness.js';

const SPEED = 100;
let h: Harness;
afterEach(() => h?.stop());

const bound = (name: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'gc' },
  spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.25' }] },
});

describe('orphaned pods', () => {
  it('a pod on a deleted node is deleted after the quarantine, without a grace period; one on a live node stays', async () => {
    h = startHarness({ speed: SPEED, namespaces: ['gc'], nodes: [node('node-1'), node('node-2')] });
    h.store.create(PODS, bound('orphan', 'node-1'));
    h.store.create(PODS, bound('kept', 'node-2'));
    const started = Date.now();
    h.store.delete(NODES, undefined, 'node-1');
    await h.until(() => !h.store.get(PODS, 'gc', 'orphan'), 'the orphaned pod deleted');
    const simulatedMs = (Date.now() - started) * SPEED;
    expect(simulatedMs).toBeGreaterThanOrEqual(QUARANTINE_MS * 0.9);
    expect(simulatedMs).toBeLessThan(QUARANTINE_MS * 3);
    const deleted = h.seen.filter((e) => e.key === PODS && e.object.metadata.name === 'orphan');
    // Force-deleted: no terminating step (deletionTimestamp) before it is gone.
    expect(deleted.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(h.store.get(PODS, 'gc', 'kept')).toBeDefined();
  });

  it('a pod bound to a node that was never registered goes too', async () => {
    h = startHarness({ speed: SPEED, namespaces: ['gc'], nodes: [node('node-1')] });
    h.store.create(PODS, bound('lost', 'nowhere'));
    await h.until(() => !h.store.get(PODS, 'gc', 'lost'), 'the pod on an unknown node deleted');
  });

  it('a node that comes back within the quarantine keeps its pods', async () => {
    h = startHarness({ speed: SPEED, namespaces: ['gc'], nodes: [node('node-1')] });
    h.store.create(PODS, bound('patient', 'node-1'));
    h.store.delete(NODES, undefined, 'node-1');
    h.store.create(NODES, node('node-1'));
    // Past the quarantine (and a resync) the pod is still there.
    await new Promise((r) => setTimeout(r, ((QUARANTINE_MS * 2) / SPEED)));
    expect(h.store.get(PODS, 'gc', 'patient')).toBeDefined();
  });
});
