/**
 * instanceFailure over pods and events shaped as a kubelet (v1.33) and the scheduler write them:
 * the shapes were taken from the sandbox node agent's output and match the Kubernetes API docs.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { instanceFailure } from '../../src/kube/instance-failure.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const UID = '7c569f77-578a-4552-8d79-509f6a3e7d83';
const NAME = 'shop-production-r2-695966646c-457vl';
const iso = (agoMs: number) => new Date(NOW - agoMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PodShape {
  ready?: boolean;
  phase?: string;
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  restartCount?: number;
  scheduled?: { status: 'True' | 'False'; reason?: string; message?: string; agoMs?: number | null };
  deleting?: boolean;
  createdAgoMs?: number;
  noStatuses?: boolean;
}

function pod(p: PodShape): V1Pod {
  const ready = p.ready ?? false;
  const scheduled = p.scheduled ?? { status: 'True' };
  const condition = (type: string, status: string, extra: Record<string, unknown> = {}) => ({ type, status, lastProbeTime: null, lastTransitionTime: iso(5_000), ...extra });
  const json = {
    metadata: {
      name: NAME,
      generateName: 'shop-production-r2-695966646c-',
      namespace: 'cairn-shop',
      uid: UID,
      creationTimestamp: iso(p.createdAgoMs ?? 10_000),
      ...(p.deleting ? { deletionTimestamp: iso(0), deletionGracePeriodSeconds: 30 } : {}),
      labels: { 'cairn.dev/app': 'shop', 'cairn.dev/environment': 'production', 'cairn.dev/revision': '2', 'pod-template-hash': '695966646c' },
    },
    spec: {
      nodeName: scheduled.status === 'True' ? 'sandbox-node-1' : undefined,
      containers: [{ name: 'shop', image: 'nginx:1.25', resources: { limits: { cpu: '250m', memory: '256Mi' }, requests: { cpu: '250m', memory: '256Mi' } } }],
    },
    status: {
      phase: p.phase ?? (scheduled.status === 'True' ? 'Running' : 'Pending'),
      qosClass: 'Guaranteed',
      conditions:
        scheduled.status === 'True'
          ? [
              condition('PodReadyToStartContainers', 'True'),
              condition('Initialized', 'True'),
              condition('Ready', ready ? 'True' : 'False', ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [shop]' }),
              condition('ContainersReady', ready ? 'True' : 'False', ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [shop]' }),
              condition('PodScheduled', 'True'),
            ]
          : [
              {
                type: 'PodScheduled',
                status: 'False',
                lastProbeTime: null,
                ...(scheduled.agoMs === null ? {} : { lastTransitionTime: iso(scheduled.agoMs ?? 5_000) }),
                reason: scheduled.reason,
                message: scheduled.message,
              },
            ],
      ...(scheduled.status === 'True' && !p.noStatuses
        ? {
            hostIP: '10.0.0.10',
            podIP: '10.1.0.2',
            startTime: iso(9_000),
            containerStatuses: [
              {
                name: 'shop',
                state: p.state ?? { running: { startedAt: iso(8_000) } },
                lastState: p.lastState ?? {},
                ready,
                started: !!(p.state ?? { running: true }).running,
                restartCount: p.restartCount ?? 0,
                image: 'docker.io/library/nginx:1.25',
                imageID: '',
              },
            ],
          }
        : {}),
    },
  };
  return JSON.parse(JSON.stringify(json)) as V1Pod;
}

function event(type: 'Normal' | 'Warning', reason: string, message: string, options: { name?: string; uid?: string; agoMs?: number } = {}): CoreV1Event {
  return {
    metadata: { name: `${options.name ?? NAME}.187a${reason.length}`, namespace: 'cairn-shop', creationTimestamp: iso(options.agoMs ?? 3_000) as never },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: options.name ?? NAME, namespace: 'cairn-shop', uid: options.uid ?? UID, fieldPath: 'spec.containers{shop}' },
    reason,
    message,
    source: { component: 'kubelet', host: 'sandbox-node-1' },
    firstTimestamp: iso(options.agoMs ?? 3_000) as never,
    lastTimestamp: iso(options.agoMs ?? 3_000) as never,
    count: 1,
    type,
    eventTime: null as never,
    reportingComponent: 'kubelet',
    reportingInstance: 'sandbox-node-1',
  };
}

const pullFailed = event('Warning', 'Failed', 'Failed to pull image "nginx:nope": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found');
const hookFailed = event('Warning', 'FailedPostStartHook', 'PostStartHook failed');
const crashLoop = { waiting: { reason: 'CrashLoopBackOff', message: `back-off 20s restarting failed container=shop pod=${NAME}_cairn-shop(${UID})` } };
const lastError = { terminated: { exitCode: 1, reason: 'Error', startedAt: iso(4_000), finishedAt: iso(3_000), containerID: 'containerd://8b9a' } };
const lastOom = { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: iso(4_000), finishedAt: iso(3_000), containerID: 'containerd://8b9a' } };
const unschedulable = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

const cases: { name: string; pod: V1Pod; events?: CoreV1Event[]; bound?: number; want: { reason: string; message: RegExp | string } | null }[] = [
  { name: 'a Ready pod', pod: pod({ ready: true }), want: null },
  { name: 'a Ready pod that was OOM-killed once', pod: pod({ ready: true, lastState: lastOom, restartCount: 1 }), events: [hookFailed], want: null },
  { name: 'a pod still creating its container', pod: pod({ state: { waiting: { reason: 'ContainerCreating' } }, phase: 'Pending' }), want: null },
  { name: 'a running pod not Ready yet', pod: pod({}), events: [event('Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')], want: null },
  {
    name: 'ErrImagePull, with the pull event',
    pod: pod({ phase: 'Pending', state: { waiting: { reason: 'ErrImagePull', message: 'rpc error: code = NotFound desc = failed to pull and unpack image' } } }),
    events: [pullFailed, event('Warning', 'Failed', 'Error: ErrImagePull')],
    want: { reason: 'IMAGE_PULL', message: /^Failed to pull image "nginx:nope": rpc error: code = NotFound/ },
  },
  {
    name: 'ImagePullBackOff without events',
    pod: pod({ phase: 'Pending', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:nope"' } } }),
    want: { reason: 'IMAGE_PULL', message: 'Back-off pulling image "nginx:nope"' },
  },
  {
    name: 'CrashLoopBackOff after exit 1',
    pod: pod({ state: crashLoop, lastState: lastError, restartCount: 2 }),
    events: [event('Warning', 'BackOff', `Back-off restarting failed container shop in pod ${NAME}_cairn-shop(${UID})`)],
    want: { reason: 'CRASH_LOOP', message: `back-off 20s restarting failed container=shop pod=${NAME}_cairn-shop(${UID}); last exit code 1 (Error)` },
  },
  {
    name: 'CrashLoopBackOff after an OOM kill',
    pod: pod({ state: crashLoop, lastState: lastOom, restartCount: 3 }),
    want: { reason: 'OOM_KILLED', message: 'Container shop was killed for going over its memory limit of 256Mi (OOMKilled, exit code 137); restarts: 3' },
  },
  { name: 'running again after an OOM kill, not Ready', pod: pod({ lastState: lastOom, restartCount: 1 }), want: { reason: 'OOM_KILLED', message: /OOMKilled, exit code 137/ } },
  { name: 'terminated OOMKilled right now', pod: pod({ state: lastOom, restartCount: 0 }), want: { reason: 'OOM_KILLED', message: /OOMKilled/ } },
  {
    name: 'a failed PostStart hook',
    pod: pod({ phase: 'Pending', state: { waiting: { reason: 'ContainerCreating' } } }),
    events: [hookFailed, event('Normal', 'Killing', 'FailedPostStartHook')],
    want: { reason: 'POST_START_HOOK_FAILED', message: 'PostStartHook failed' },
  },
  {
    name: 'a failed PostStart hook then a crash loop: the hook is the cause',
    pod: pod({ state: crashLoop, lastState: { terminated: { ...lastError.terminated, exitCode: 137 } }, restartCount: 2 }),
    events: [hookFailed],
    want: { reason: 'POST_START_HOOK_FAILED', message: 'PostStartHook failed' },
  },
  { name: 'a hook event of another pod', pod: pod({}), events: [event('Warning', 'FailedPostStartHook', 'PostStartHook failed', { name: 'other-pod' })], want: null },
  { name: 'a hook event of an earlier pod with the same name', pod: pod({}), events: [event('Warning', 'FailedPostStartHook', 'PostStartHook failed', { uid: 'old-uid' })], want: null },
  {
    name: 'CreateContainerConfigError',
    pod: pod({ phase: 'Pending', state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "shop-production-r2-env" not found' } } }),
    events: [event('Warning', 'Failed', 'Error: secret "shop-production-r2-env" not found')],
    want: { reason: 'CONFIG_ERROR', message: 'secret "shop-production-r2-env" not found' },
  },
  { name: 'unschedulable for less than the bound', pod: pod({ scheduled: { status: 'False', reason: 'Unschedulable', message: unschedulable, agoMs: 30_000 } }), bound: 60_000, want: null },
  {
    name: 'unschedulable beyond the bound',
    pod: pod({ scheduled: { status: 'False', reason: 'Unschedulable', message: unschedulable, agoMs: 90_000 } }),
    bound: 60_000,
    want: { reason: 'UNSCHEDULABLE', message: unschedulable },
  },
  {
    name: 'unschedulable without a transition time: counted from creation',
    pod: pod({ createdAgoMs: 120_000, scheduled: { status: 'False', reason: 'Unschedulable', message: unschedulable, agoMs: null } }),
    bound: 60_000,
    want: { reason: 'UNSCHEDULABLE', message: unschedulable },
  },
  { name: 'a pod being deleted', pod: pod({ deleting: true, state: crashLoop, lastState: lastError }), want: null },
];

/** The Kubernetes reasons each of cairn's reasons is seen as. */
const KUBERNETES_REASONS: Record<string, string[]> = {
  IMAGE_PULL: ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'],
  CONFIG_ERROR: ['CreateContainerConfigError', 'CreateContainerError'],
  OOM_KILLED: ['OOMKilled'],
  POST_START_HOOK_FAILED: ['FailedPostStartHook'],
  CRASH_LOOP: ['CrashLoopBackOff'],
  UNSCHEDULABLE: ['Unschedulable'],
};

describe('instanceFailure', () => {
  it.each(cases)('$name', ({ pod, events, bound, want }) => {
    const got = instanceFailure(pod, events ?? [], new Date(NOW), { unschedulableAfterMs: bound ?? 60_000 });
    if (want === null) return expect(got).toBeNull();
    expect(got?.reason).toBe(want.reason);
    if (typeof want.message === 'string') expect(got?.message).toBe(want.message);
    else expect(got?.message).toMatch(want.message);
    expect(KUBERNETES_REASONS[want.reason]).toContain(got?.kubernetesReason); // Kubernetes' own word, kept beside cairn's
  });

  it('accepts Date fields as client-node deserializes them', () => {
    const p = pod({ scheduled: { status: 'False', reason: 'Unschedulable', message: unschedulable, agoMs: 90_000 } });
    const condition = p.status!.conditions![0]!;
    condition.lastTransitionTime = new Date(condition.lastTransitionTime as unknown as string);
    expect(instanceFailure(p, [], NOW, { unschedulableAfterMs: 60_000 })?.reason).toBe('UNSCHEDULABLE');
    expect(instanceFailure(p, [], NOW, { unschedulableAfterMs: 120_000 })).toBeNull();
  });
});
