/** The ReplicaSet controller's decisions (pkg/controller/replicaset), as pure functions. */
import type { KubeObject } from '../store/types.js';
import { selectorMatches, type LabelSelector } from './labels.js';
import {
  clone,
  omitZero,
  creationTime,
  isPodActive,
  isPodAvailable,
  isPodReady,
  msUntilAvailable,
  ownerReferenceTo,
  podPhase,
  podReadyCondition,
} from './pods.js';

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: unknown };
}

export const rsSpec = (rs: KubeObject): ReplicaSetSpec => (rs.spec ?? {}) as ReplicaSetSpec;
export const rsReplicas = (rs: KubeObject): number => rsSpec(rs).replicas ?? 1;

/** controller.GetPodFromTemplate: a new pod for the ReplicaSet (the store fills in the generated name). */
export function podFromTemplate(rs: KubeObject): KubeObject {
  const t = rsSpec(rs).template ?? {};
  const meta = t.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: clone(meta.labels ?? {}),
      ownerReferences: [ownerReferenceTo(rs)],
    },
    spec: clone(t.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = clone(meta.annotations);
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: KubeObject): number {
  const v = Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function maxRestarts(pod: KubeObject): number {
  const statuses = (pod.status as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses ?? [];
  return statuses.reduce((m, s) => Math.max(m, s.restartCount ?? 0), 0);
}

function readyTime(pod: KubeObject): number {
  const t = podReadyCondition(pod)?.lastTransitionTime;
  return t ? Date.parse(t) : 0;
}

/** log2 bucket of an age, as LogarithmicScaleDown compares timestamps. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6; // nanoseconds
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function nodeName(pod: KubeObject): string {
  return ((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '') as string;
}

/**
 * ActivePodsWithRanks.Less: negative when `a` should be deleted before `b`.
 * 1 unscheduled < scheduled; 2 Pending < Unknown < Running; 3 not ready < ready; 4 lower deletion cost;
 * 5 more pods of the same owner on its node; 6 ready for less time; 7 more restarts; 8 newer.
 */
export function compareForDeletion(a: KubeObject, b: KubeObject, rankA: number, rankB: number, now: Date): number {
  const na = nodeName(a);
  const nb = nodeName(b);
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  const pa = PHASE_ORDINAL[podPhase(a)] ?? 0;
  const pb = PHASE_ORDINAL[podPhase(b)] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  const n = now.getTime();
  const tieByUid = () => ((a.metadata.uid ?? '') < (b.metadata.uid ?? '') ? -1 : (a.metadata.uid ?? '') > (b.metadata.uid ?? '') ? 1 : 0);
  if (ra && rb) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) {
      if (!ta || !tb) return !ta ? -1 : 1; // zero time first
      const diff = logRank(ta, n) - logRank(tb, n);
      return diff === 0 ? tieByUid() : diff;
    }
  }
  const ma = maxRestarts(a);
  const mb = maxRestarts(b);
  if (ma !== mb) return mb - ma;
  const ka = creationTime(a);
  const kb = creationTime(b);
  if (ka !== kb) {
    if (!ka || !kb) return !ka ? -1 : 1;
    const diff = logRank(ka, n) - logRank(kb, n);
    return diff === 0 ? tieByUid() : diff;
  }
  return 0;
}

/**
 * getPodsToDelete: the `count` pods to remove, ranked as the ReplicaSet controller ranks them.
 * `related` are the active pods of every ReplicaSet of the same owner (for the doubled-up rank).
 */
export function podsToDelete(pods: KubeObject[], related: KubeObject[], count: number, now: Date): KubeObject[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = nodeName(p);
    if (n && isPodActive(p)) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod, i) => ({ pod, i, rank: onNode.get(nodeName(pod)) ?? 0 }));
  ranked.sort((x, y) => compareForDeletion(x.pod, y.pod, x.rank, y.rank, now) || x.i - y.i);
  return ranked.slice(0, count).map((r) => r.pod);
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: unknown[];
}

/** calculateStatus over the ReplicaSet's active pods; `manageError` is why creating/deleting pods failed, if it did. */
export function replicaSetStatus(rs: KubeObject, activePods: KubeObject[], now: Date, speed = 1, manageError?: string): ReplicaSetStatus {
  const spec = rsSpec(rs);
  const templateLabels = spec.template?.metadata?.labels ?? {};
  const minReady = spec.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (selectorMatches({ matchLabels: templateLabels }, p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now, speed)) available++;
    }
  }
  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  let conditions = [...(((rs.status as { conditions?: { type: string }[] } | undefined)?.conditions) ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = activePods.length - rsReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const t = now.toISOString().replace(/\.\d+Z$/, 'Z');
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: t, reason, message: manageError } as { type: string });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  if (conditions.length) status.conditions = conditions;
  // ReplicaSetStatus: `replicas` is always written, the other counters are `omitempty`.
  return omitZero(status, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']);
}

/** When a ready-but-not-yet-available pod will become available (ms), to look again then. */
export function nextAvailabilityCheck(pods: KubeObject[], minReadySeconds: number, now: Date, speed = 1): number | undefined {
  let min: number | undefined;
  for (const p of pods) {
    const left = msUntilAvailable(p, minReadySeconds, now, speed);
    if (left !== undefined && (min === undefined || left < min)) min = left;
  }
  return min === undefined ? undefined : min + 1;
}

export interface ReplicaSetPlan {
  create: number;
  delete: KubeObject[];
}

/** manageReplicas: how many pods to create, or which to delete (bursts capped at 500 like the real controller). */
export function planReplicaSet(rs: KubeObject, activePods: KubeObject[], related: KubeObject[], now: Date): ReplicaSetPlan {
  const diff = activePods.length - rsReplicas(rs);
  if (diff < 0) return { create: Math.min(-diff, 500), delete: [] };
  if (diff > 0) return { create: 0, delete: podsToDelete(activePods, related, Math.min(diff, 500), now) };
  return { create: 0, delete: [] };
}
