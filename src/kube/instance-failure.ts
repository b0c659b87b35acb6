/**
 * Why a pod cannot become Ready, from its status and its Warning events (pure).
 *
 * | reason                  | seen as                                                                        |
 * |-------------------------|--------------------------------------------------------------------------------|
 * | IMAGE_PULL              | a container waiting in ErrImagePull / ImagePullBackOff / InvalidImageName / ErrImageNeverPull |
 * | CONFIG_ERROR            | a container waiting in CreateContainerConfigError / CreateContainerError       |
 * | OOM_KILLED              | a container terminated OOMKilled, now (state) or last time (lastState)         |
 * | POST_START_HOOK_FAILED  | a FailedPostStartHook event for this pod                                       |
 * | CRASH_LOOP              | a container waiting in CrashLoopBackOff                                        |
 * | UNSCHEDULABLE           | PodScheduled False/Unschedulable for at least `unschedulableAfterMs`           |
 *
 * The Kubernetes reason it was seen as (ErrImagePull, OOMKilled, FailedPostStartHook, Unschedulable …)
 * is kept as `kubernetesReason`. Checked in that order (the first is the most specific cause: an OOM
 * or a failed hook ends in a crash loop too). A Ready pod, and a pod being deleted, has no failure. "Not Ready by the batch
 * deadline" is the engine's to decide from the pod's creation time.
 */
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { InstanceFailure } from './workloads-types.js';

export interface InstanceFailureOptions {
  /** How long a pod may stay unschedulable before it counts as failed. */
  unschedulableAfterMs: number;
}

/** Pod and Event as client-node returns them (Dates) or as JSON (strings): both are accepted. */
type Time = Date | string | null | undefined;

export function timeOf(value: Time): number | null {
  if (value == null) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_ERROR = new Set(['CreateContainerConfigError', 'CreateContainerError']);

/** When an event last happened (lastTimestamp, eventTime, firstTimestamp, creation). */
export function eventTime(e: CoreV1Event): number {
  return (
    timeOf(e.lastTimestamp as Time) ??
    timeOf(e.eventTime as Time) ??
    timeOf(e.firstTimestamp as Time) ??
    timeOf(e.metadata?.creationTimestamp as Time) ??
    0
  );
}

/** The events about this pod (by name, and by uid when both carry one), newest first. */
export function eventsOfPod(pod: V1Pod, events: CoreV1Event[]): CoreV1Event[] {
  const name = pod.metadata?.name;
  const uid = pod.metadata?.uid;
  return events
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid))
    .sort((a, b) => eventTime(b) - eventTime(a));
}

function statuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function instanceFailure(pod: V1Pod, events: CoreV1Event[], now: Date | number, options: InstanceFailureOptions): InstanceFailure | null {
  if (pod.metadata?.deletionTimestamp) return null;
  if (isPodReady(pod)) return null;
  const mine = eventsOfPod(pod, events);
  const containers = statuses(pod);

  for (const c of containers) {
    const reason = c.state?.waiting?.reason;
    if (reason && IMAGE_PULL.has(reason)) {
      const pullEvent = mine.find((e) => e.type === 'Warning' && (e.message ?? '').startsWith('Failed to pull image'));
      return { reason: 'IMAGE_PULL', message: pullEvent?.message ?? c.state?.waiting?.message ?? `${reason}: cannot pull image "${c.image}"`, kubernetesReason: reason };
    }
  }
  for (const c of containers) {
    const reason = c.state?.waiting?.reason;
    if (reason && CONFIG_ERROR.has(reason)) {
      return { reason: 'CONFIG_ERROR', message: c.state?.waiting?.message || `${reason} in container ${c.name}`, kubernetesReason: reason };
    }
  }
  for (const c of containers) {
    const terminated = c.state?.terminated?.reason === 'OOMKilled' ? c.state.terminated : c.lastState?.terminated?.reason === 'OOMKilled' ? c.lastState.terminated : null;
    if (terminated) {
      const limit = pod.spec?.containers?.find((s) => s.name === c.name)?.resources?.limits?.memory;
      return {
        reason: 'OOM_KILLED',
        message: `Container ${c.name} was killed for going over its memory limit${limit ? ` of ${limit}` : ''} (OOMKilled, exit code ${terminated.exitCode ?? 137}); restarts: ${c.restartCount ?? 0}`,
        kubernetesReason: 'OOMKilled',
      };
    }
  }
  const hook = mine.find((e) => e.reason === 'FailedPostStartHook');
  if (hook) {
    return { reason: 'POST_START_HOOK_FAILED', message: hook.message || 'PostStartHook failed', kubernetesReason: 'FailedPostStartHook' };
  }
  for (const c of containers) {
    if (c.state?.waiting?.reason === 'CrashLoopBackOff') {
      const last = c.lastState?.terminated;
      const exit = last ? `; last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
      return { reason: 'CRASH_LOOP', message: `${c.state.waiting.message || `Back-off restarting failed container ${c.name}`}${exit}`, kubernetesReason: 'CrashLoopBackOff' };
    }
  }
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (scheduled && scheduled.status === 'False' && scheduled.reason === 'Unschedulable') {
    const since = timeOf(scheduled.lastTransitionTime as Time) ?? timeOf(pod.metadata?.creationTimestamp as Time) ?? 0;
    const nowMs = typeof now === 'number' ? now : now.getTime();
    if (nowMs - since >= options.unschedulableAfterMs) {
      return { reason: 'UNSCHEDULABLE', message: scheduled.message || 'No node can run this instance', kubernetesReason: 'Unschedulable' };
    }
  }
  return null;
}
