/**
 * An environment's pods and pod events as live status shows them (pure). The classification is
 * src/kube's (`toInstance`, `instanceFailure`); this adds the derived status a console shows.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { timeOf } from '../kube/instance-failure.js';
import { toInstance } from '../kube/observe.js';
import { LABEL_APP, LABEL_ENVIRONMENT, environmentLabel, names } from '../kube/render/names.js';
import type { EnvironmentTarget, ObservedInstance } from '../kube/workloads-types.js';
import type { KubeObject } from './informer.js';

/** Which environment: where it runs and how its pods are labelled. */
export type EnvironmentScope = Pick<EnvironmentTarget, 'cluster' | 'namespace' | 'appName' | 'environmentKind'>;

export type InstanceStatus =
  | 'PENDING'
  | 'STARTING'
  | 'RUNNING'
  | 'READY'
  | 'CRASH_LOOP'
  | 'IMAGE_PULL_FAILED'
  | 'OOM_KILLED'
  | 'CONFIG_ERROR'
  | 'POST_START_HOOK_FAILED'
  | 'UNSCHEDULABLE'
  | 'TERMINATING'
  | 'SUCCEEDED'
  | 'FAILED';

export interface LiveInstance extends ObservedInstance {
  cluster: string;
  namespace: string;
  resourceVersion: string;
  status: InstanceStatus;
  /** status.startTime: when the kubelet took the pod. */
  startedAt: Date | null;
}

export interface LiveSystemEvent {
  /** The Event object's name (unique in the namespace). */
  name: string;
  instanceName: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  firstAt: Date | null;
  lastAt: Date | null;
  source: string | null;
  resourceVersion: string;
}

/** How long a pod may stay unschedulable before it counts as failed (the engine's default). */
const UNSCHEDULABLE_AFTER_MS = 60_000;

const FAILURE_STATUS: Record<string, InstanceStatus> = {
  IMAGE_PULL: 'IMAGE_PULL_FAILED',
  CRASH_LOOP: 'CRASH_LOOP',
  OOM_KILLED: 'OOM_KILLED',
  CONFIG_ERROR: 'CONFIG_ERROR',
  POST_START_HOOK_FAILED: 'POST_START_HOOK_FAILED',
  UNSCHEDULABLE: 'UNSCHEDULABLE',
};

export function statusOf(i: ObservedInstance): InstanceStatus {
  if (i.terminating) return 'TERMINATING';
  if (i.failure) return FAILURE_STATUS[i.failure.reason] ?? 'FAILED';
  if (i.ready) return 'READY';
  if (i.phase === 'Succeeded') return 'SUCCEEDED';
  if (i.phase === 'Failed') return 'FAILED';
  if (i.containers.length > 0 && i.containers.every((c) => c.state === 'running')) return 'RUNNING';
  if (i.node !== null) return 'STARTING';
  return 'PENDING';
}

/** The pod belongs to the environment (by its labels). */
export function isEnvironmentPod(scope: EnvironmentScope, pod: KubeObject): boolean {
  const labels = pod.metadata?.labels ?? {};
  return labels[LABEL_APP] === scope.appName && labels[LABEL_ENVIRONMENT] === environmentLabel(scope.environmentKind);
}

/** The pod an event is about, when it is a pod. */
export function eventPodName(event: KubeObject): string | null {
  const involved = (event as unknown as CoreV1Event).involvedObject;
  return involved?.kind === 'Pod' && involved.name ? involved.name : null;
}

/** Pods of the environment are named after its workloads: `<app>-<environment>-…`. */
export function podNamePrefix(scope: EnvironmentScope): string {
  return `${names.service(scope)}-`;
}

export function toLiveInstance(scope: EnvironmentScope, pod: KubeObject, podEvents: KubeObject[], now: Date): LiveInstance {
  const p = pod as unknown as V1Pod;
  const observed = toInstance(p, podEvents as unknown as CoreV1Event[], now, UNSCHEDULABLE_AFTER_MS);
  const started = timeOf(p.status?.startTime as Date | string | undefined);
  return {
    ...observed,
    cluster: scope.cluster,
    namespace: scope.namespace,
    resourceVersion: p.metadata?.resourceVersion ?? '',
    status: statusOf(observed),
    startedAt: started === null ? null : new Date(started),
  };
}

const at = (t: unknown) => {
  const ms = timeOf(t as Date | string | undefined);
  return ms === null ? null : new Date(ms);
};

export function toLiveEvent(event: KubeObject): LiveSystemEvent {
  const e = event as unknown as CoreV1Event;
  return {
    name: e.metadata?.name ?? '',
    instanceName: e.involvedObject?.name ?? '',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? e.series?.count ?? 1,
    firstAt: at(e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
    lastAt: at(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp),
    source: e.source?.component ?? e.reportingComponent ?? null,
    resourceVersion: e.metadata?.resourceVersion ?? '',
  };
}

/** Newest first (by last seen, then name). */
export function newestFirst(a: LiveSystemEvent, b: LiveSystemEvent): number {
  return (b.lastAt?.getTime() ?? 0) - (a.lastAt?.getTime() ?? 0) || b.name.localeCompare(a.name);
}
