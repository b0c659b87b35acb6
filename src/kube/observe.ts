/**
 * What the cluster shows of an environment: its revisions' workloads and its pods (instances),
 * each pod classified by instanceFailure from its status and the namespace's pod events.
 */
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { workloadStrategy } from './strategy/index.js';
import { observedRevisions } from './strategy/observed.js';
import type { WorkloadObject } from './strategy/types.js';
import { unwrap, type KubeResult } from './kube-errors.js';
import { eventsOfPod, eventTime, instanceFailure, isPodReady, timeOf } from './instance-failure.js';
import { environmentLabelSelector } from './render/names.js';
import { revisionLabel } from './strategy/observed.js';
import type { Clients } from './workloads-clients.js';
import type { EnvironmentObservation, EnvironmentTarget, InstanceEvent, ObservedContainer, ObservedInstance } from './workloads-types.js';

export interface ObserveOptions {
  unschedulableAfterMs: number;
  /** Defaults to the current time. */
  now?: Date;
}

type Call = <T>(fn: () => Promise<T>) => Promise<KubeResult<T>>;

function container(s: V1ContainerStatus): ObservedContainer {
  const st = s.state;
  const [state, detail] = st?.running
    ? (['running', null] as const)
    : st?.terminated
      ? (['terminated', st.terminated] as const)
      : st?.waiting
        ? (['waiting', st.waiting] as const)
        : (['unknown', null] as const);
  return {
    name: s.name,
    state,
    reason: detail?.reason ?? null,
    message: detail?.message ?? null,
    exitCode: st?.terminated?.exitCode ?? null,
    ready: s.ready === true,
    restarts: s.restartCount ?? 0,
    lastTerminationReason: s.lastState?.terminated?.reason ?? null,
  };
}


/** The field selector of pods' events (every one: what a console shows of an instance). */
export const POD_EVENTS = 'involvedObject.kind=Pod';
/** The field selector of pods' Warnings (`type` is a field label of events on every API server): all an observation judges instances by (observeFrom keeps no other event). */
export const POD_WARNINGS = 'involvedObject.kind=Pod,type=Warning';

/** One pod as an instance (pure). */
export function toInstance(pod: V1Pod, events: CoreV1Event[], now: Date, unschedulableAfterMs: number): ObservedInstance {
  const containers = (pod.status?.containerStatuses ?? []).map(container);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const warning = eventsOfPod(pod, events).find((e) => e.type === 'Warning');
  return {
    name: pod.metadata?.name ?? '',
    revision: revisionLabel(pod),
    phase: pod.status?.phase ?? 'Pending',
    ready: !terminating && isPodReady(pod),
    terminating,
    restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
    node: pod.spec?.nodeName ?? null,
    ip: pod.status?.podIP ?? null,
    createdAt: new Date(timeOf(pod.metadata?.creationTimestamp as Date | string | undefined) ?? now.getTime()),
    containers,
    failure: instanceFailure(pod, events, now, { unschedulableAfterMs }),
    lastWarning: warning ? { reason: warning.reason ?? '', message: warning.message ?? '', at: new Date(eventTime(warning)) } : null,
  };
}


/**
 * The observation of an environment from its objects (pure): its pods, the pod events of its
 * namespace and its workloads (the objects of its strategy's kind) — listed from the cluster, or
 * read from the informer caches.
 */
export function observeFrom(target: EnvironmentTarget, pods: V1Pod[], podEvents: CoreV1Event[], workloads: readonly WorkloadObject[], options: ObserveOptions): EnvironmentObservation {
  const now = options.now ?? new Date();
  // Each pod is shown the events that name it only: one pass over the namespace's events, not one per pod. Only the
  // events an instance is judged by are kept: its Warnings (lastWarning, a failed pull's message) and a failed
  // PostStart hook (instance-failure.ts reads no other) — not the Normal events of every start, most of them.
  const byPod = new Map<string, CoreV1Event[]>();
  for (const e of podEvents) {
    if (e.type !== 'Warning' && e.reason !== 'FailedPostStartHook') continue;
    const name = e.involvedObject?.kind === 'Pod' ? e.involvedObject.name : undefined;
    if (name === undefined) continue;
    const list = byPod.get(name);
    if (list) list.push(e);
    else byPod.set(name, [e]);
  }
  const instances = pods.map((p) => toInstance(p, byPod.get(p.metadata?.name ?? '') ?? [], now, options.unschedulableAfterMs)).sort((a, b) => a.name.localeCompare(b.name));
  const { revisions, statefulSet } = observedRevisions(workloadStrategy(target.appType), target, workloads, instances);
  return { revisions, instances, statefulSet, observedAt: now };
}

/** The observation listed from the cluster (three requests); src/live reads the same from the informer caches. */
export async function observeEnvironment(c: Clients, target: EnvironmentTarget, call: Call, options: ObserveOptions): Promise<EnvironmentObservation> {
  const { namespace } = target;
  const labelSelector = environmentLabelSelector(target);
  const [pods, events] = await Promise.all([
    call(() => c.core.listNamespacedPod({ namespace, labelSelector })),
    call(() => c.core.listNamespacedEvent({ namespace, fieldSelector: POD_WARNINGS })),
  ]);
  // Without the right to read events, pods still tell most failures (not a failed PostStart hook).
  const podEvents = !events.ok && events.error.kind === 'Forbidden' ? [] : unwrap(events).items;
  const workloads =
    workloadStrategy(target.appType).informerKind === 'deployments'
      ? unwrap(await call(() => c.apps.listNamespacedDeployment({ namespace, labelSelector }))).items
      : unwrap(await call(() => c.apps.listNamespacedStatefulSet({ namespace, labelSelector }))).items;
  return observeFrom(target, unwrap(pods).items, podEvents, workloads, options);
}

/** The events of one of the environment's pods, oldest first (an empty list for a pod without events). */
export async function instanceEvents(c: Clients, target: EnvironmentTarget, podName: string, call: Call): Promise<InstanceEvent[]> {
  const fieldSelector = `involvedObject.kind=Pod,involvedObject.name=${podName}`;
  return toInstanceEvents(unwrap(await call(() => c.core.listNamespacedEvent({ namespace: target.namespace, fieldSelector }))).items);
}

/** A pod's events as instance events, oldest first (pure). */
export function toInstanceEvents(events: CoreV1Event[]): InstanceEvent[] {
  const at = (t: unknown) => {
    const ms = timeOf(t as Date | string | undefined);
    return ms === null ? null : new Date(ms);
  };
  return events
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? e.series?.count ?? 1,
      firstAt: at(e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
      lastAt: new Date(eventTime(e)),
      source: e.source?.component ?? e.reportingComponent ?? null,
    }))
    .sort((a, b) => a.lastAt.getTime() - b.lastAt.getTime());
}
