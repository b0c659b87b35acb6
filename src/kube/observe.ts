/**
 * What the cluster shows of an environment: its revisions' workloads and its pods (instances),
 * each pod classified by instanceFailure from its status and the namespace's pod events.
 */
import type { CoreV1Event, V1ContainerStatus, V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { unwrap, type KubeResult } from './kube-errors.js';
import { eventsOfPod, eventTime, instanceFailure, isPodReady, timeOf } from './instance-failure.js';
import { LABEL_REVISION, environmentLabelSelector, names } from './render/names.js';
import type { Clients } from './workloads-clients.js';
import type { EnvironmentObservation, EnvironmentTarget, InstanceEvent, ObservedContainer, ObservedInstance, ObservedRevision, ObservedStatefulSet } from './workloads-types.js';

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

const revisionOf = (o: { metadata?: { labels?: Record<string, string> } }): number | null => {
  const n = Number(o.metadata?.labels?.[LABEL_REVISION]);
  return Number.isInteger(n) && o.metadata?.labels?.[LABEL_REVISION] !== undefined ? n : null;
};

/** One pod as an instance (pure). */
export function toInstance(pod: V1Pod, events: CoreV1Event[], now: Date, unschedulableAfterMs: number): ObservedInstance {
  const containers = (pod.status?.containerStatuses ?? []).map(container);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const warning = eventsOfPod(pod, events).find((e) => e.type === 'Warning');
  return {
    name: pod.metadata?.name ?? '',
    revision: revisionOf(pod),
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

/** The ordinal of a StatefulSet pod `<set>-<n>`. */
const ordinalOf = (podName: string) => Number(podName.slice(podName.lastIndexOf('-') + 1));

/** What the cluster holds of an environment's workloads: its Deployments (stateless), or its StatefulSet (stateful; null when there is none). */
export type EnvironmentWorkloads = { deployments: V1Deployment[] } | { statefulSet: V1StatefulSet | null };

/**
 * The observation of an environment from its objects (pure): the pods (its own), the pod events of
 * its namespace and its workloads — listed from the cluster, or read from the informer caches.
 */
export function observeFrom(target: EnvironmentTarget, pods: V1Pod[], podEvents: CoreV1Event[], workloads: EnvironmentWorkloads, options: ObserveOptions): EnvironmentObservation {
  const now = options.now ?? new Date();
  const instances = pods.map((p) => toInstance(p, podEvents, now, options.unschedulableAfterMs)).sort((a, b) => a.name.localeCompare(b.name));

  const live = instances.filter((i) => !i.terminating);
  const tally = (n: number) => ({
    current: live.filter((i) => i.revision === n).length,
    ready: live.filter((i) => i.revision === n && i.ready).length,
  });
  const revisions = new Map<number, ObservedRevision>();
  let statefulSet: ObservedStatefulSet | null = null;

  if ('deployments' in workloads) {
    for (const d of workloads.deployments) {
      const n = revisionOf(d);
      if (n === null) continue;
      revisions.set(n, { number: n, desired: d.spec?.replicas ?? 0, workload: d.metadata?.name ?? '', ...tally(n) });
    }
  } else if (workloads.statefulSet) {
    const set = workloads.statefulSet;
    const name = names.statefulSet(target);
    const replicas = set.spec?.replicas ?? 0;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const revision = revisionOf(set);
    statefulSet = {
      name,
      revision,
      replicas,
      partition,
      observed: (set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0),
    };
    // Ordinals at or above the partition belong to the template's revision; those below keep the
    // revision their pod runs (a missing pod is counted for the template's revision).
    const byOrdinal = new Map(live.map((i) => [ordinalOf(i.name), i.revision]));
    const desiredOf = new Map<number, number>();
    for (let ord = 0; ord < replicas; ord++) {
      const n = ord >= partition ? revision : (byOrdinal.get(ord) ?? revision);
      if (n !== null) desiredOf.set(n, (desiredOf.get(n) ?? 0) + 1);
    }
    if (revision !== null && !desiredOf.has(revision)) desiredOf.set(revision, 0);
    for (const [n, desired] of desiredOf) revisions.set(n, { number: n, desired, workload: name, ...tally(n) });
  }
  // Pods of a revision whose workload is gone still show.
  for (const i of live) {
    if (i.revision !== null && !revisions.has(i.revision)) revisions.set(i.revision, { number: i.revision, desired: 0, workload: '', ...tally(i.revision) });
  }
  return { revisions: [...revisions.values()].sort((a, b) => a.number - b.number), instances, statefulSet, observedAt: now };
}

/** The observation listed from the cluster (three requests); src/live reads the same from the informer caches. */
export async function observeEnvironment(c: Clients, target: EnvironmentTarget, call: Call, options: ObserveOptions): Promise<EnvironmentObservation> {
  const { namespace } = target;
  const labelSelector = environmentLabelSelector(target);
  const [pods, events] = await Promise.all([
    call(() => c.core.listNamespacedPod({ namespace, labelSelector })),
    call(() => c.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Pod' })),
  ]);
  // Without the right to read events, pods still tell most failures (not a failed PostStart hook).
  const podEvents = !events.ok && events.error.kind === 'Forbidden' ? [] : unwrap(events).items;
  let workloads: EnvironmentWorkloads;
  if (target.appType === 'STATELESS') {
    workloads = { deployments: unwrap(await call(() => c.apps.listNamespacedDeployment({ namespace, labelSelector }))).items };
  } else {
    const read = await call(() => c.apps.readNamespacedStatefulSet({ name: names.statefulSet(target), namespace }));
    if (!read.ok && read.error.kind !== 'NotFound') throw read.error;
    workloads = { statefulSet: read.ok ? read.value : null };
  }
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
