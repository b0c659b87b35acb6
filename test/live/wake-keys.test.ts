/** The wake keys (src/live/wake-keys.ts): which pod and workload changes can wake the release engine, and which cannot. */
import { describe, expect, it } from 'vitest';
import { podWakeKey, workloadWakeKey } from '../../src/live/wake-keys.js';
import type { KubeObject } from '../../src/live/informer.js';

const base = {
  metadata: { name: 'web-production-r2-a', labels: { 'cairn.dev/revision': '2' }, resourceVersion: '10', creationTimestamp: '2026-12-07T11:59:00Z' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{ name: 'web', ready: false, restartCount: 0, image: 'nginx:1.25', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }],
  },
};
type Pod = typeof base & Record<string, any>;
const changed = (edit: (p: Pod) => void): KubeObject => {
  const p = structuredClone(base) as Pod;
  edit(p);
  return p as unknown as KubeObject;
};
const key = (o: KubeObject) => podWakeKey(o);
const container = (p: Pod) => p.status.containerStatuses[0] as Record<string, any>;

describe('podWakeKey', () => {
  it.each<[string, (p: Pod) => void]>([
    ['bound to a node', (p) => Object.assign(p.spec, { nodeName: 'node-1' })],
    ['given an IP', (p) => Object.assign(p.status, { podIP: '10.0.0.9', hostIP: '10.1.0.1' })],
    ['a new resourceVersion, annotations', (p) => Object.assign(p.metadata, { resourceVersion: '11', annotations: { a: 'b' } })],
    ['other conditions', (p) => p.status.conditions.push({ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' })],
    ['its container started but not Ready', (p) => Object.assign(container(p), { started: true, state: { running: { startedAt: '2026-12-07T11:59:30Z' } } })],
  ])('is the same when the pod is %s', (_what, edit) => {
    expect(key(changed(edit))).toBe(key(base as unknown as KubeObject));
  });

  it.each<[string, (p: Pod) => void]>([
    ['runs another revision', (p) => (p.metadata.labels['cairn.dev/revision'] = '3')],
    ['is being deleted', (p) => Object.assign(p.metadata, { deletionTimestamp: '2026-12-07T12:00:00Z' })],
    ['changes phase', (p) => (p.status.phase = 'Running')],
    ['has no phase yet', (p) => delete (p.status as Partial<Pod['status']>).phase],
    ['becomes Ready', (p) => p.status.conditions.push({ type: 'Ready', status: 'True' })],
    ['restarts a container', (p) => (container(p).restartCount = 1)],
    ['cannot pull its image', (p) => (container(p).state = { waiting: { reason: 'ErrImagePull', message: 'not found' } })],
    ['restarts an init container', (p) => ((p.status as Record<string, any>).initContainerStatuses = [{ name: 'init', ready: false, restartCount: 1, image: 'busybox', imageID: '' }])],
    ['crash-loops', (p) => (container(p).state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } })],
    ['has a config error', (p) => (container(p).state = { waiting: { reason: 'CreateContainerConfigError', message: 'secret missing' } })],
    ['was OOM-killed', (p) => (container(p).lastState = { terminated: { reason: 'OOMKilled', exitCode: 137 } })],
    ['cannot be scheduled', (p) => (p.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' } as never])],
  ])('changes when the pod %s', (_what, edit) => {
    expect(key(changed(edit))).not.toBe(key(base as unknown as KubeObject));
  });
});

const deployment = {
  metadata: { name: 'web-production-r2', labels: { 'cairn.dev/revision': '2' }, annotations: { 'cairn.dev/release-order': '7' }, generation: 3, resourceVersion: '20' },
  spec: { replicas: 4, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  status: { observedGeneration: 3, replicas: 2, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 2, conditions: [{ type: 'Progressing', status: 'True' }] },
};
type Workload = typeof deployment & Record<string, any>;
const workload = (edit: (w: Workload) => void): KubeObject => {
  const w = structuredClone(deployment) as Workload;
  edit(w);
  return w as unknown as KubeObject;
};
const same = workloadWakeKey(deployment as unknown as KubeObject);

describe('workloadWakeKey', () => {
  it.each<[string, (w: Workload) => void]>([
    ['its status counts move', (w) => Object.assign(w.status, { replicas: 4, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 4 })],
    ['its conditions change', (w) => (w.status.conditions = [{ type: 'Available', status: 'True' }])],
    ['a new resourceVersion', (w) => (w.metadata.resourceVersion = '21')],
  ])('is the same when %s', (_what, edit) => {
    expect(workloadWakeKey(workload(edit))).toBe(same);
  });

  it.each<[string, (w: Workload) => void]>([
    ['it is scaled', (w) => Object.assign(w.spec, { replicas: 2 })],
    ['its spec changes (a new generation)', (w) => (w.metadata.generation = 4)],
    ['its controller sees the new spec', (w) => (w.status.observedGeneration = 2)],
    ['its partition moves', (w) => (w.spec = { ...w.spec, updateStrategy: { rollingUpdate: { partition: 2 } } } as never)],
    ['it is being deleted', (w) => Object.assign(w.metadata, { deletionTimestamp: '2026-12-07T12:00:00Z' })],
    ['its labels change', (w) => (w.metadata.labels['cairn.dev/revision'] = '3')],
    ['its annotations change', (w) => (w.metadata.annotations['cairn.dev/release-order'] = '8')],
  ])('changes when %s', (_what, edit) => {
    expect(workloadWakeKey(workload(edit))).not.toBe(same);
  });
});
