/** The node agent's rules as tables: back-off, probe thresholds, pod phase and conditions, QoS, quantities, messages. */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatPullDuration, inBackoffSince, inBackoffSinceUpdate, nextBackoff, type BackoffEntry } from '../../../src/sandbox/node/backoff.js';
import { FirstPods } from '../../../src/sandbox/node/first-pods.js';
import { messages, podDesc, probeOutput, waiting } from '../../../src/sandbox/node/messages.js';
import { applyOutcome, initialProbeState, probeSettings, type ProbeKind, type ProbeState } from '../../../src/sandbox/node/probe-rules.js';
import { derivePodStatus, podPhase, qosClass } from '../../../src/sandbox/node/pod-status.js';
import { parseQuantity, toKi } from '../../../src/sandbox/node/quantity.js';
import type { ContainerStatus, Pod } from '../../../src/sandbox/node/types.js';

describe('first pod to run an image (the flaky tag), per namespace', () => {
  it.each([
    // claims in order: [namespace, image, pod uid] → first?
    [[['a', 'nginx:flaky', 'p1']], [true]],
    [[['a', 'nginx:flaky', 'p1'], ['a', 'nginx:flaky', 'p1']], [true, true]], // a restart of the first pod: still first
    [[['a', 'nginx:flaky', 'p1'], ['a', 'nginx:flaky', 'p2'], ['a', 'nginx:flaky', 'p1']], [true, false, true]],
    [[['a', 'nginx:flaky', 'p1'], ['b', 'nginx:flaky', 'p2']], [true, true]], // another namespace has its own first pod
    [[['a', 'nginx:flaky', 'p1'], ['a', 'nodejs:flaky', 'p2']], [true, true]], // another image too
  ] as const)('%j → %j', (claims, expected) => {
    const firsts = new FirstPods();
    expect(claims.map(([ns, image, uid]) => firsts.claim(ns, image, uid))).toEqual(expected);
  });
});

describe('back-off (10 s doubling to 5 min, forgotten after 10 min)', () => {
  it('doubles from 10 s and caps at 300 s', () => {
    let e: BackoffEntry | undefined;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      e = nextBackoff(e, i * 1000);
      delays.push(e.delayMs / 1000);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it.each([
    // [entry delay s, entry updated at s, event at s, now s, in back-off]
    [undefined, 0, 0, 0, false],
    [10, 0, 0, 5, true],
    [10, 0, 0, 10, false],
    [40, 100, 100, 130, true],
    [300, 0, 0, 299, true],
    [300, 0, 601, 605, false], // last failure more than 10 min before this event: forgotten
  ])('delay %s s, updated %s s, event %s s, now %s s → %s', (delay, updated, event, now, expected) => {
    const entry = delay === undefined ? undefined : { delayMs: delay * 1000, lastUpdateMs: updated * 1000 };
    expect(inBackoffSince(entry, event * 1000, now * 1000)).toBe(expected);
  });

  it('restarts the back-off at 10 s after the entry expired', () => {
    const e = nextBackoff({ delayMs: 300_000, lastUpdateMs: 0 }, 600_001);
    expect(e.delayMs).toBe(10_000);
  });

  it('image pull back-off counts from the last failed pull', () => {
    expect(inBackoffSinceUpdate({ delayMs: 20_000, lastUpdateMs: 1000 }, 20_999)).toBe(true);
    expect(inBackoffSinceUpdate({ delayMs: 20_000, lastUpdateMs: 1000 }, 21_000)).toBe(false);
  });

  it.each([
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
  ])('formats %s ms as %s', (ms, s) => expect(formatDuration(ms)).toBe(s));

  it.each([
    [1200, '1.2s'],
    [850, '850ms'],
    [6500, '6.5s'],
  ])('formats a pull of %s ms as %s', (ms, s) => expect(formatPullDuration(ms)).toBe(s));
});

describe('probe thresholds', () => {
  const settings = probeSettings({ periodSeconds: 5, failureThreshold: 3, successThreshold: 2 });
  const runOutcomes = (kind: ProbeKind, outcomes: ('success' | 'failure')[]) => {
    let s: ProbeState = initialProbeState(kind);
    const out: string[] = [];
    for (const o of outcomes) {
      const r = applyOutcome(s, o, settings, kind);
      s = r.state;
      out.push(r.act ? `${s.result}!` : s.result);
    }
    return out;
  };

  it('defaults like the API server', () => {
    expect(probeSettings({})).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  });

  it.each([
    ['readiness', ['success', 'success', 'failure', 'failure', 'failure'], ['failure', 'success', 'success', 'success', 'failure']],
    ['readiness', ['failure', 'success', 'failure', 'success', 'success'], ['failure', 'failure', 'failure', 'failure', 'success']],
    ['liveness', ['failure', 'failure', 'failure', 'failure'], ['success', 'success', 'failure!', 'failure']],
    ['liveness', ['failure', 'failure', 'success', 'failure', 'failure'], ['success', 'success', 'success', 'success', 'success']],
    ['startup', ['failure', 'failure', 'failure'], ['unknown', 'unknown', 'failure!']],
  ] as const)('%s: %j → %j', (kind, outcomes, expected) => {
    expect(runOutcomes(kind, [...outcomes])).toEqual(expected);
  });
});

const cs = (name: string, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name, state, lastState: {}, ready: false, restartCount: 0, image: 'x', imageID: '', ...extra,
});
const term = (exitCode: number) => ({ terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed' } });

describe('pod phase', () => {
  it.each([
    ['Always', [cs('a', { waiting: { reason: 'ContainerCreating' } })], 'Pending'],
    ['Always', [cs('a', { running: {} })], 'Running'],
    ['Always', [cs('a', { running: {} }), cs('b', { waiting: { reason: 'ImagePullBackOff' } })], 'Pending'],
    ['Always', [cs('a', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: term(1) })], 'Running'],
    ['Always', [cs('a', term(1))], 'Running'],
    ['Never', [cs('a', term(0))], 'Succeeded'],
    ['Never', [cs('a', term(1))], 'Failed'],
    ['Never', [cs('a', term(0)), cs('b', { running: {} })], 'Running'],
    ['OnFailure', [cs('a', term(0))], 'Succeeded'],
    ['OnFailure', [cs('a', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: term(1) })], 'Running'],
  ] as const)('%s with %j → %s', (policy, statuses, phase) => {
    expect(podPhase(policy, [...statuses], statuses.length)).toBe(phase);
  });
});

describe('pod conditions', () => {
  const pod = (conds: Pod['status'] = {}): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    status: conds,
  });
  const now = '2026-01-01T00:00:00Z';

  it('Ready and ContainersReady are False with ContainersNotReady listing the unready containers', () => {
    const s = derivePodStatus({ pod: pod(), statuses: [cs('a', { running: {} }, { ready: true }), cs('b', { running: {} })], sandboxReady: true, now });
    const ready = s.conditions!.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [b]' });
    expect(s.conditions!.find((c) => c.type === 'ContainersReady')?.reason).toBe('ContainersNotReady');
  });

  it('all ready: Ready True; the transition time is kept while the status stays', () => {
    const statuses = [cs('a', { running: {} }, { ready: true }), cs('b', { running: {} }, { ready: true })];
    const first = derivePodStatus({ pod: pod(), statuses, sandboxReady: true, now });
    expect(first.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: now });
    const later = derivePodStatus({ pod: pod(first), statuses, sandboxReady: true, now: '2026-01-01T00:05:00Z' });
    expect(later.conditions!.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(now);
  });

  it('a finished pod is not ready with reason PodCompleted', () => {
    const p: Pod = { ...pod(), spec: { containers: [{ name: 'a' }], restartPolicy: 'Never' } };
    const s = derivePodStatus({ pod: p, statuses: [cs('a', term(0))], sandboxReady: true, now });
    expect(s.phase).toBe('Succeeded');
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it.each([
    [[{ name: 'a' }], 'BestEffort'],
    [[{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
    [[{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } } }], 'Guaranteed'],
    [[{ name: 'a', resources: { requests: { memory: '64Mi' } } }], 'Burstable'],
  ] as const)('QoS of %j is %s', (containers, qos) => expect(qosClass(containers as never)).toBe(qos));
});

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['128Mi', 128 * 1024 ** 2],
    ['1G', 1e9],
    ['1e3', 1000],
  ])('%s = %s', (q, v) => expect(parseQuantity(q)).toBe(v));
  it('reports memory in Ki', () => expect(toKi('8Gi')).toBe('8388608Ki'));
});

describe('kubelet event messages', () => {
  const pod = podDesc('web-1', 'shop', 'uid-1');
  it.each([
    [messages.pulling('nginx:1.25'), 'Normal', 'Pulling', 'Pulling image "nginx:1.25"'],
    [messages.pulled('nginx:1.25', 1234, 100), 'Normal', 'Pulled', 'Successfully pulled image "nginx:1.25" in 1.234s (1.234s including waiting). Image size: 100 bytes.'],
    [messages.alreadyPresent('nginx:1.25'), 'Normal', 'Pulled', 'Container image "nginx:1.25" already present on machine'],
    [messages.pullFailed('nginx:x', 'rpc error: not found'), 'Warning', 'Failed', 'Failed to pull image "nginx:x": rpc error: not found'],
    [messages.error('ErrImagePull'), 'Warning', 'Failed', 'Error: ErrImagePull'],
    [messages.pullBackOff('nginx:x'), 'Normal', 'BackOff', 'Back-off pulling image "nginx:x"'],
    [messages.created('app'), 'Normal', 'Created', 'Created container: app'],
    [messages.started('app'), 'Normal', 'Started', 'Started container app'],
    [messages.stopping('app'), 'Normal', 'Killing', 'Stopping container app'],
    [messages.killingProbe('app', 'liveness'), 'Normal', 'Killing', 'Container app failed liveness probe, will be restarted'],
    [messages.killingPostStart(), 'Normal', 'Killing', 'FailedPostStartHook'],
    [messages.crashBackOff('app', pod), 'Warning', 'BackOff', 'Back-off restarting failed container app in pod web-1_shop(uid-1)'],
    [messages.unhealthy('Readiness', probeOutput.httpStatus(503)), 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
    [
      messages.unhealthy('Liveness', probeOutput.httpRefused('http://10.1.0.5:8081/actuator/health', '10.1.0.5:8081')),
      'Warning',
      'Unhealthy',
      'Liveness probe failed: Get "http://10.1.0.5:8081/actuator/health": dial tcp 10.1.0.5:8081: connect: connection refused',
    ],
  ])('%#: %s', (ev, type, reason, message) => {
    expect(ev).toEqual({ type, reason, message });
  });

  it('words the CrashLoopBackOff waiting message like the kubelet', () => {
    expect(waiting.crashLoop(20_000, 'app', pod)).toBe('back-off 20s restarting failed container=app pod=web-1_shop(uid-1)');
  });
});

describe('init containers in the pod status', () => {
  const pod = (restartPolicy: 'Always' | 'Never'): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: { restartPolicy, initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] },
  });
  const app = cs('a', { waiting: { reason: 'PodInitializing' } });
  it.each([
    ['Always', cs('i', { running: {} }), 'Pending', 'False'],
    ['Always', cs('i', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: term(1) }), 'Pending', 'False'],
    ['Never', cs('i', term(1)), 'Failed', 'False'],
    ['Always', cs('i', term(0)), 'Pending', 'True'],
  ] as const)('%s with init %j → %s, Initialized %s', (policy, init, phase, initialized) => {
    const s = derivePodStatus({ pod: pod(policy), statuses: [app], initStatuses: [init], sandboxReady: true, now: '2026-01-01T00:00:00Z' });
    expect(s.phase).toBe(phase);
    expect(s.conditions!.find((c) => c.type === 'Initialized')?.status).toBe(initialized);
    expect(s.initContainerStatuses?.[0]?.ready).toBe(false);
  });
});
