/** The scheduler on the real store. */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { NODES, node, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.stop());

const pod = (name: string, cpu: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }], ...extra },
});
const nodeName = (h: Harness, name: string) => (h.store.get('/pods', 'default', name)?.spec as any)?.nodeName as string | undefined;
const scheduled = (h: Harness, name: string) => ((h.store.get('/pods', 'default', name)?.status as any)?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');

describe('scheduler', () => {
  it('binds pods, spreading them over the least allocated nodes, with PodScheduled and a Scheduled event', async () => {
    h = startHarness({ nodes: [node('a', { cpu: '2' }), node('b', { cpu: '2' })] });
    h.store.create('/pods', pod('p1', '1'));
    h.store.create('/pods', pod('p2', '1'));
    await h.until(() => nodeName(h, 'p1') && nodeName(h, 'p2'), 'both bound');
    expect(new Set([nodeName(h, 'p1'), nodeName(h, 'p2')])).toEqual(new Set(['a', 'b']));
    expect(scheduled(h, 'p1')).toMatchObject({ status: 'True' });
    await h.until(() => h.events('Scheduled').length === 2, 'events');
    const ev = h.events('Scheduled').find((e) => (e.involvedObject as any).name === 'p1')!;
    expect(ev).toMatchObject({ type: 'Normal', message: `Successfully assigned default/p1 to ${nodeName(h, 'p1')}`, source: { component: 'default-scheduler' } });
  });

  it('reports FailedScheduling when nothing fits, and binds once a node that fits appears', async () => {
    h = startHarness({ nodes: [node('a', { cpu: '1' }), node('b', { cpu: '1' }), node('c', { cpu: '1' })] });
    h.store.create('/pods', pod('big', '2'));
    const cond = await h.until(() => scheduled(h, 'big')?.status === 'False' && scheduled(h, 'big'), 'unschedulable');
    expect(cond).toMatchObject({ reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' });
    const [ev] = await h.until(() => h.events('FailedScheduling').length > 0 && h.events('FailedScheduling'), 'event');
    expect(ev).toMatchObject({ type: 'Warning', message: '0/3 nodes are available: 3 Insufficient cpu.', source: { component: 'default-scheduler' } });
    h.store.create(NODES, node('large', { cpu: '4' }));
    await h.until(() => nodeName(h, 'big') === 'large', 'bound to the new node');
    await h.until(() => scheduled(h, 'big')?.reason === undefined, 'condition replaced');
    expect(scheduled(h, 'big')).toMatchObject({ type: 'PodScheduled', status: 'True' });
    expect(scheduled(h, 'big')).not.toHaveProperty('message');
  });

  it('retries when a bound pod goes away and frees room', async () => {
    h = startHarness({ nodes: [node('a', { cpu: '1' })] });
    h.store.create('/pods', pod('first', '1'));
    await h.until(() => nodeName(h, 'first'), 'first bound');
    h.store.create('/pods', pod('second', '1'));
    await h.until(() => scheduled(h, 'second')?.status === 'False', 'second unschedulable');
    h.store.delete('/pods', 'default', 'first', { gracePeriodSeconds: 0 });
    await h.until(() => nodeName(h, 'second') === 'a', 'second bound');
  });

  it('a pod waiting for a peer (required pod affinity) is placed once the peer is bound', async () => {
    h = startHarness({ nodes: [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })] });
    const app = pod('app', '100m', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } } });
    h.store.create('/pods', app);
    await h.until(() => scheduled(h, 'app')?.status === 'False', 'waiting');
    expect(scheduled(h, 'app').message).toBe("0/2 nodes are available: 2 node(s) didn't match pod affinity rules.");
    h.store.create('/pods', { ...pod('db', '100m', { nodeSelector: { zone: 'z2' } }), metadata: { name: 'db', namespace: 'default', labels: { app: 'db' } } });
    await h.until(() => nodeName(h, 'app'), 'placed');
    expect(nodeName(h, 'app')).toBe('b');
  });

  it('honours nodeSelector, taints and node readiness', async () => {
    h = startHarness({
      nodes: [node('down', { ready: false }), node('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }], labels: { disk: 'ssd' } }), node('plain', { labels: { disk: 'hdd' } })],
    });
    h.store.create('/pods', pod('any', '100m'));
    h.store.create('/pods', pod('ssd', '100m', { nodeSelector: { disk: 'ssd' } }));
    h.store.create('/pods', pod('ssd-tolerant', '100m', { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] }));
    await h.until(() => nodeName(h, 'any') && nodeName(h, 'ssd-tolerant') && scheduled(h, 'ssd')?.status === 'False', 'decisions');
    expect(nodeName(h, 'any')).toBe('plain');
    expect(nodeName(h, 'ssd-tolerant')).toBe('gpu');
    expect(scheduled(h, 'ssd').message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {gpu: true}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
    );
  });
});
