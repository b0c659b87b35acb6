import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { filterNode, nodeInfos, podRequests, schedulePod, toleratesTaint, unschedulableMessage } from '../../../src/sandbox/controllers/scheduler-rules.js';
import { node } from './harness.js';

function pod(name: string, o: { cpu?: string; memory?: string; limitsOnly?: boolean; nodeSelector?: Record<string, string>; tolerations?: unknown[]; nodeName?: string; phase?: string; init?: string } = {}): KubeObject {
  const res: Record<string, string> = {};
  if (o.cpu) res.cpu = o.cpu;
  if (o.memory) res.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: {
      containers: [{ name: 'c', image: 'x', resources: o.limitsOnly ? { limits: res } : { requests: res } }],
      ...(o.init ? { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: o.init } } }] } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    },
    status: { phase: o.phase ?? 'Running' },
  };
}

describe('podRequests', () => {
  it('sums containers, takes the max with init containers, falls back to limits', () => {
    expect(podRequests(pod('a', { cpu: '250m', memory: '64Mi' }))).toEqual({ cpu: 250, memory: 64 * 2 ** 20 });
    expect(podRequests(pod('a', { cpu: '250m', init: '1' })).cpu).toBe(1000);
    expect(podRequests(pod('a', { cpu: '500m', limitsOnly: true })).cpu).toBe(500);
  });
});

describe('filterNode', () => {
  const n = node('n1', { cpu: '1', memory: '1Gi', pods: '2', labels: { zone: 'a' } });
  it.each([
    ['fits', pod('p', { cpu: '500m' }), [], []],
    ['cpu', pod('p', { cpu: '1500m' }), [], ['Insufficient cpu']],
    ['cpu and memory', pod('p', { cpu: '2', memory: '2Gi' }), [], ['Insufficient cpu', 'Insufficient memory']],
    ['counts bound pods', pod('p', { cpu: '600m' }), [pod('q', { cpu: '500m', nodeName: 'n1' })], ['Insufficient cpu']],
    ['pod count', pod('p'), [pod('q', { nodeName: 'n1' }), pod('r', { nodeName: 'n1' })], ['Too many pods']],
    ['node selector', pod('p', { nodeSelector: { zone: 'b' } }), [], ["node(s) didn't match Pod's node affinity/selector"]],
    ['node selector ok', pod('p', { nodeSelector: { zone: 'a' } }), [], []],
  ])('%s', (_, p, bound, want) => {
    expect(filterNode(p, { node: n, pods: bound })).toEqual(want);
  });

  it('taints: NoSchedule unless tolerated; PreferNoSchedule ignored', () => {
    const tainted = node('t', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(filterNode(pod('p'), { node: tainted, pods: [] })).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(filterNode(pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), { node: tainted, pods: [] })).toEqual([]);
    expect(filterNode(pod('p', { tolerations: [{ operator: 'Exists' }] }), { node: tainted, pods: [] })).toEqual([]);
    const soft = node('s', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
    expect(filterNode(pod('p'), { node: soft, pods: [] })).toEqual([]);
  });

  it('a node that is not Ready carries the not-ready taint', () => {
    expect(filterNode(pod('p'), { node: node('down', { ready: false }), pods: [] })).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });

  it.each([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
    [{ key: 'k', operator: 'Equal', value: 'w', effect: 'NoSchedule' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('toleration %j', (t, want) => expect(toleratesTaint(t, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(want));
});

describe('schedulePod', () => {
  it('spreads onto the least allocated node', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const bound = [pod('a', { cpu: '1', nodeName: 'n1' }), pod('b', { cpu: '1', nodeName: 'n2' })];
    expect(schedulePod(pod('p', { cpu: '1' }), nodeInfos(nodes, bound))).toEqual({ node: 'n3' });
  });

  it('ignores terminal pods when counting', () => {
    const nodes = [node('n1', { cpu: '1' })];
    const bound = [pod('a', { cpu: '1', nodeName: 'n1', phase: 'Succeeded' })];
    expect(schedulePod(pod('p', { cpu: '1' }), nodeInfos(nodes, bound))).toEqual({ node: 'n1' });
  });

  it('explains FailedScheduling like the real scheduler', () => {
    const nodes = [node('n1', { cpu: '1' }), node('n2', { cpu: '1' }), node('n3', { cpu: '1', ready: false })];
    const r = schedulePod(pod('p', { cpu: '2' }), nodeInfos(nodes, []));
    expect(r).toMatchObject({ message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu.' });
    const all = schedulePod(pod('p', { cpu: '8' }), nodeInfos([node('a'), node('b'), node('c')], []));
    expect(all).toMatchObject({ message: '0/3 nodes are available: 3 Insufficient cpu.' });
    expect(unschedulableMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});

describe('inter-pod affinity (required terms)', () => {
  const withLabels = (p: KubeObject, labels: Record<string, string>, affinity?: object): KubeObject => ({
    ...p,
    metadata: { ...p.metadata, labels },
    spec: { ...(p.spec as object), ...(affinity ? { affinity } : {}) },
  });
  const hostTerm = (app: string) => [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }];
  const zoneTerm = (app: string) => [{ labelSelector: { matchLabels: { app } }, topologyKey: 'zone' }];
  const nodes = [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z1' } }), node('c', { labels: { zone: 'z2' } })];

  it('anti-affinity keeps replicas off nodes that already run one', () => {
    const bound = [withLabels(pod('w1', { nodeName: 'a' }), { app: 'web' }), withLabels(pod('w2', { nodeName: 'c' }), { app: 'web' })];
    const incoming = withLabels(pod('w3'), { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: hostTerm('web') } });
    expect(schedulePod(incoming, nodeInfos(nodes, bound))).toEqual({ node: 'b' });
    const full = [...bound, withLabels(pod('w4', { nodeName: 'b' }), { app: 'web' })];
    expect(schedulePod(incoming, nodeInfos(nodes, full))).toMatchObject({ message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules." });
  });

  it('affinity follows a zone; the first pod of a group may go where it selects itself', () => {
    const db = withLabels(pod('db', { nodeName: 'c' }), { app: 'db' });
    const near = withLabels(pod('app'), { app: 'app' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: zoneTerm('db') } });
    expect(schedulePod(near, nodeInfos(nodes, [db]))).toEqual({ node: 'c' });
    const first = withLabels(pod('first'), { app: 'grp' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: zoneTerm('grp') } });
    expect(schedulePod(first, nodeInfos(nodes, []))).toHaveProperty('node');
    expect(schedulePod(near, nodeInfos(nodes, []))).toMatchObject({ message: "0/3 nodes are available: 3 node(s) didn't match pod affinity rules." });
  });

  it('respects the anti-affinity of pods already running', () => {
    const loner = withLabels(pod('loner', { nodeName: 'a' }), { app: 'loner' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: zoneTerm('web') } });
    const r = schedulePod(withLabels(pod('w'), { app: 'web' }), nodeInfos(nodes, [loner]));
    expect(r).toEqual({ node: 'c' });
  });
});
