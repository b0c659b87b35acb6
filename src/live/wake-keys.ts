/**
 * What of an object a pass of the release engine can act on or publish, as one string (pure): a change of an
 * environment's pod or workload wakes the engine only when its key changes (engine-watch.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { instanceFailure, isPodReady } from '../kube/instance-failure.js';
import type { KubeObject } from './informer.js';

/**
 * A pod's key: its labels (the revision it runs), whether it is being deleted, its phase, whether it is Ready,
 * each container's restarts and the failure it shows (instance-failure.ts, any Unschedulable condition counted at once) — the rollout's
 * inputs and what an order's subscribers are shown of an instance (engine/order-updates.ts). A pod change
 * that leaves it alone (bound to a node, given an IP, a container being created or started but not yet
 * Ready) wakes no pass. Failures told by events come through the Warnings informer; failures that come with
 * time (a pod unschedulable for too long, a batch deadline) through the engine's timers and resync.
 */
export function podWakeKey(object: KubeObject): string {
  const pod = object as V1Pod;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  // Judged at no particular time: an Unschedulable condition counts at once, whatever the clocks say.
  const failure = instanceFailure(pod, [], Number.POSITIVE_INFINITY, { unschedulableAfterMs: 0 });
  return JSON.stringify([
    pod.metadata?.labels ?? null,
    pod.metadata?.deletionTimestamp != null,
    pod.status?.phase ?? null,
    isPodReady(pod),
    statuses.map((s) => [s.name, s.restartCount ?? 0]),
    failure ? [failure.reason, failure.kubernetesReason] : null,
  ]);
}

/**
 * A workload's key (a Deployment or the StatefulSet): its labels and annotations (its revision, its release order),
 * whether it is being deleted, its spec (by its generation, and the replicas and partition themselves) and whether its
 * controller has seen that spec — what the strategies read of it (kube/strategy/). Its status counts (replicas, ready,
 * available, updated) and conditions are not: the engine counts the pods themselves, so most workload changes wake no pass.
 */
export function workloadWakeKey(object: KubeObject): string {
  const w = object as KubeObject & {
    metadata?: { generation?: number; annotations?: Record<string, string> };
    spec?: { replicas?: number; updateStrategy?: { rollingUpdate?: { partition?: number } } };
    status?: { observedGeneration?: number };
  };
  return JSON.stringify([
    w.metadata?.labels ?? null,
    w.metadata?.annotations ?? null,
    w.metadata?.deletionTimestamp != null,
    w.metadata?.generation ?? null,
    w.spec?.replicas ?? null,
    w.spec?.updateStrategy?.rollingUpdate?.partition ?? null,
    w.status?.observedGeneration ?? null,
  ]);
}
