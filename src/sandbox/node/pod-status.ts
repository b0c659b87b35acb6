/**
 * Pod status from container statuses: phase (kubelet getPhase), conditions (status.GeneratePod*Condition),
 * QoS class. Pure.
 */
import { parseQuantity } from './quantity.js';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from './types.js';

export function podPhase(restartPolicy: string | undefined, statuses: ContainerStatus[], containerCount: number): string {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = containerCount - statuses.length;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    const policy = restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    // A container waiting to be restarted (OnFailure) still counts as running.
    const anyRestarting = statuses.some((s) => s.state.waiting);
    if (anyRestarting) return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return 'Failed';
  }
  return 'Pending';
}

export function qosClass(containers: Container[]): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (q !== undefined || l !== undefined) any = true;
      if (l === undefined || q === undefined || parseQuantity(q) !== parseQuantity(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** Init containers not yet completed (terminated with exit 0), and whether one failed for good. */
export function initProgress(restartPolicy: string | undefined, init: ContainerStatus[]): { incomplete: string[]; failed: boolean } {
  const incomplete = init.filter((s) => s.state.terminated?.exitCode !== 0).map((s) => s.name);
  const failed = (restartPolicy ?? 'Always') === 'Never' && init.some((s) => (s.state.terminated?.exitCode ?? 0) !== 0);
  return { incomplete, failed };
}

export interface PodStatusInput {
  pod: Pod;
  statuses: ContainerStatus[];
  /** Statuses of the init containers, in spec order. */
  initStatuses?: ContainerStatus[];
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  /** The pod sandbox exists (network set up): PodReadyToStartContainers. */
  sandboxReady: boolean;
  now: string;
}

/** The full status the node agent reports; lastTransitionTime kept from the pod's current status when a condition's status did not change. */
export function derivePodStatus(input: PodStatusInput): PodStatus {
  const { pod, statuses, now } = input;
  const containers = pod.spec.containers;
  const init = input.initStatuses ?? [];
  const { incomplete, failed: initFailed } = initProgress(pod.spec.restartPolicy, init);
  const phase = initFailed ? 'Failed' : incomplete.length ? 'Pending' : podPhase(pod.spec.restartPolicy, statuses, containers.length);
  const unready = containers.filter((c) => !statuses.find((s) => s.name === c.name)?.ready).map((c) => c.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = done
    ? condition('ContainersReady', false, 'PodCompleted')
    : unready.length
      ? condition('ContainersReady', false, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`)
      : condition('ContainersReady', true);
  const gates = (pod.spec.readinessGates ?? []).map((g) => g.conditionType);
  const existing = pod.status?.conditions ?? [];
  const missingGates = gates.filter((g) => existing.find((c) => c.type === g)?.status !== 'True');
  let ready: PodCondition;
  if (done) ready = condition('Ready', false, 'PodCompleted');
  else if (unready.length) ready = { ...containersReady, type: 'Ready' };
  else if (missingGates.length) ready = condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${missingGates[0]}" does not exist.`);
  else ready = condition('Ready', true);
  const conds: PodCondition[] = [
    condition('PodReadyToStartContainers', input.sandboxReady && !done),
    incomplete.length ? condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`) : condition('Initialized', true),
    ready,
    containersReady,
  ];
  const scheduled = existing.find((c) => c.type === 'PodScheduled');
  conds.push(scheduled ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: input.startTime ?? now });
  // Conditions others own (readiness gates) are kept as they are.
  for (const c of existing) if (!conds.some((k) => k.type === c.type)) conds.push(c);
  const conditions = conds.map((c) => {
    if (c.lastTransitionTime) return { lastProbeTime: null, ...c };
    const before = existing.find((e) => e.type === c.type);
    const lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, lastProbeTime: null, lastTransitionTime };
  });
  const status: PodStatus = {
    phase,
    conditions,
    ...(input.hostIP ? { hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    ...(input.startTime ? { startTime: input.startTime } : {}),
    ...(init.length ? { initContainerStatuses: init.map((s) => ({ ...s, ready: false })) } : {}),
    containerStatuses: statuses,
    qosClass: qosClass(containers),
  };
  return status;
}
