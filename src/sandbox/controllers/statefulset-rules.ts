/**
 * The StatefulSet controller's decisions (pkg/controller/statefulset: stateful_set_control.go,
 * stateful_set_utils.go, pkg/controller/history), as pure functions.
 */
import type { KubeObject } from '../store/types.js';
import { canonicalJson, computeHash } from './hash.js';
import { clone, isPodReady, isPodAvailable, isPodTerminal, isTerminating, omitZero, ownerReferenceTo, podPhase } from './pods.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const HASH_LABEL = 'controller.kubernetes.io/hash';

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
}

export interface StatefulSetSpec {
  replicas: number;
  template: Template;
  serviceName?: string;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  updateStrategy: { type: 'RollingUpdate' | 'OnDelete'; partition: number };
  revisionHistoryLimit: number;
  minReadySeconds: number;
  startOrdinal: number;
}

export function statefulSetSpec(set: KubeObject): StatefulSetSpec {
  const s = (set.spec ?? {}) as Record<string, any>;
  const type = s.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate';
  return {
    replicas: s.replicas ?? 1,
    template: s.template ?? {},
    serviceName: s.serviceName,
    podManagementPolicy: s.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady',
    updateStrategy: { type, partition: type === 'RollingUpdate' ? (s.updateStrategy?.rollingUpdate?.partition ?? 0) : 0 },
    revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
    minReadySeconds: s.minReadySeconds ?? 0,
    startOrdinal: s.ordinals?.start ?? 0,
  };
}

// ---- revisions -----------------------------------------------------------------------------

/** getPatch: the part of the set a ControllerRevision records. */
export function revisionData(set: KubeObject): unknown {
  return { spec: { template: { ...clone(statefulSetSpec(set).template), $patch: 'replace' } } };
}

export const revisionNumber = (cr: KubeObject): number => (cr.revision as number | undefined) ?? 0;

/** A new ControllerRevision for the set's current template (history.NewControllerRevision). */
export function newRevision(set: KubeObject, revision: number, collisionCount: number): KubeObject {
  const data = revisionData(set);
  const hash = computeHash(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${set.metadata.name}-${hash}`,
      namespace: set.metadata.namespace,
      labels: { ...(statefulSetSpec(set).template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      ownerReferences: [ownerReferenceTo(set)],
    },
    data,
    revision,
  };
}

/** The template a revision recorded. */
export function templateOf(cr: KubeObject): Template {
  const t = clone(((cr.data as { spec?: { template?: Template & { $patch?: string } } } | undefined)?.spec?.template ?? {}) as Template & { $patch?: string });
  delete t.$patch;
  return t;
}

export type RevisionOp = { type: 'create'; revision: KubeObject } | { type: 'bump'; name: string; revision: number };

export interface Revisions {
  current: KubeObject;
  update: KubeObject;
  op?: RevisionOp;
}

/** getStatefulSetRevisions: the update revision (new, reused or rolled back to) and the current one. */
export function resolveRevisions(set: KubeObject, existing: KubeObject[]): Revisions {
  const revisions = [...existing].sort((a, b) => revisionNumber(a) - revisionNumber(b));
  const collisionCount = ((set.status as { collisionCount?: number } | undefined)?.collisionCount ?? 0) as number;
  const next = revisions.length ? revisionNumber(revisions[revisions.length - 1]!) + 1 : 1;
  let update = newRevision(set, next, collisionCount);
  const data = canonicalJson(update.data);
  const equal = revisions.filter((r) => canonicalJson(r.data) === data);
  let op: RevisionOp | undefined;
  if (equal.length && revisions[revisions.length - 1] === equal[equal.length - 1]) {
    update = revisions[revisions.length - 1]!;
  } else if (equal.length) {
    const target = equal[equal.length - 1]!;
    update = { ...clone(target), revision: next };
    op = { type: 'bump', name: target.metadata.name!, revision: next };
  } else {
    op = { type: 'create', revision: update };
  }
  const currentName = (set.status as { currentRevision?: string } | undefined)?.currentRevision;
  const current = revisions.find((r) => r.metadata.name === currentName) ?? update;
  return { current, update, ...(op ? { op } : {}) };
}

/** truncateHistory: the non-live revisions beyond revisionHistoryLimit, oldest first. */
export function revisionsToDelete(set: KubeObject, revisions: KubeObject[], pods: KubeObject[], current: KubeObject, update: KubeObject): KubeObject[] {
  const live = new Set<string>([current.metadata.name!, update.metadata.name!]);
  for (const p of pods) {
    const r = p.metadata.labels?.[REVISION_LABEL];
    if (r) live.add(r);
  }
  const history = revisions.filter((r) => !live.has(r.metadata.name!)).sort((a, b) => revisionNumber(a) - revisionNumber(b));
  const excess = history.length - statefulSetSpec(set).revisionHistoryLimit;
  return excess > 0 ? history.slice(0, excess) : [];
}

// ---- pods ----------------------------------------------------------------------------------

/** getOrdinal: the ordinal in a pod name `<set>-<n>`, or -1. */
export function ordinalOf(set: KubeObject, pod: KubeObject): number {
  const name = pod.metadata.name ?? '';
  const prefix = `${set.metadata.name}-`;
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** newStatefulSetPod + setPodRevision: the pod for an ordinal, from a revision's template. */
export function newPod(set: KubeObject, template: Template, revisionName: string, ordinal: number): KubeObject {
  const spec = statefulSetSpec(set);
  const name = `${set.metadata.name}-${ordinal}`;
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: {
        ...(meta.labels ?? {}),
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [REVISION_LABEL]: revisionName,
      },
      ownerReferences: [ownerReferenceTo(set)],
    },
    spec: { ...clone(template.spec ?? {}), hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
  };
  // updateStorage: a volume per volumeClaimTemplate, bound to the claim `<template>-<set>-<ordinal>`.
  const claims = ((set.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined)?.volumeClaimTemplates ?? []).filter((c) => c.metadata?.name);
  if (claims.length) {
    const podSpec = pod.spec as { volumes?: { name: string }[] };
    const volumes = (podSpec.volumes ?? []).filter((v) => !claims.some((c) => c.metadata!.name === v.name));
    for (const c of claims) volumes.push({ name: c.metadata!.name!, persistentVolumeClaim: { claimName: `${c.metadata!.name}-${name}` } } as { name: string });
    podSpec.volumes = volumes;
  }
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = clone(meta.annotations);
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

export const isRunningAndReady = (pod: KubeObject): boolean => podPhase(pod) === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: KubeObject, minReadySeconds: number, now: Date, speed = 1): boolean =>
  podPhase(pod) === 'Running' && isPodAvailable(pod, minReadySeconds, now, speed);
const revisionLabel = (pod: KubeObject) => pod.metadata.labels?.[REVISION_LABEL];

export type PodAction = { type: 'create'; pod: KubeObject } | { type: 'delete'; pod: KubeObject; why: 'failed' | 'scale-down' | 'update' };

export interface PodPlan {
  actions: PodAction[];
  /** Why the pass stopped early, for logs and tests. */
  waiting?: string;
}

/**
 * One pass of updateStatefulSet over the set's pods: replace failed pods, create missing ordinals
 * (OrderedReady: one at a time, each after its predecessors are Running and Ready), delete
 * condemned ordinals from the highest, then (RollingUpdate) delete the highest-ordinal pod at or
 * above the partition that is not on the update revision, one at a time.
 */
export function planStatefulSetPods(set: KubeObject, revisions: Revisions, pods: KubeObject[], now: Date, speed = 1): PodPlan {
  const spec = statefulSetSpec(set);
  const available = (p: KubeObject) => isRunningAndAvailable(p, spec.minReadySeconds, now, speed);
  const isHealthy = (p: KubeObject) => available(p) && !isTerminating(p);
  const actions: PodAction[] = [];
  if (set.metadata.deletionTimestamp) return { actions };
  const monotonic = spec.podManagementPolicy === 'OrderedReady';
  const start = spec.startOrdinal;
  const end = start + spec.replicas;
  const byOrdinal = new Map<number, KubeObject>();
  const condemned: KubeObject[] = [];
  for (const p of pods) {
    const ord = ordinalOf(set, p);
    if (ord < 0) continue;
    if (ord >= start && ord < end) byOrdinal.set(ord, p);
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));

  /** newVersionedStatefulSetPod. */
  const versioned = (ord: number): KubeObject => {
    // Below the partition pods stay on the current revision; OnDelete recreates pods on the update revision.
    const useCurrent = spec.updateStrategy.type === 'RollingUpdate' && ord < start + spec.updateStrategy.partition;
    if (useCurrent) return newPod(set, templateOf(revisions.current), revisions.current.metadata.name!, ord);
    return newPod(set, templateOf(revisions.update), revisions.update.metadata.name!, ord);
  };

  const replicas: (KubeObject | undefined)[] = [];
  for (let ord = start; ord < end; ord++) replicas.push(byOrdinal.get(ord));

  // The first unhealthy pod, replicas then condemned (by ordinal).
  const unhealthy = (p: KubeObject | undefined) => !p || !isRunningAndReady(p) || isTerminating(p);
  const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find(unhealthy);

  for (let i = 0; i < replicas.length; i++) {
    const ord = start + i;
    let pod = replicas[i];
    if (pod && isPodTerminal(pod) && !isTerminating(pod)) {
      actions.push({ type: 'delete', pod, why: 'failed' });
      pod = undefined;
    }
    if (!pod) {
      const created = versioned(ord);
      actions.push({ type: 'create', pod: created });
      replicas[i] = created;
      if (monotonic) return { actions, waiting: `created ${created.metadata.name}` };
      continue;
    }
    if (isTerminating(pod) && monotonic) return { actions, waiting: `${pod.metadata.name} is terminating` };
    if (!isRunningAndReady(pod) && monotonic) return { actions, waiting: `${pod.metadata.name} is not Running and Ready` };
    if (!available(pod) && monotonic) return { actions, waiting: `${pod.metadata.name} is not available` };
  }

  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return { actions, waiting: `${pod.metadata.name} is terminating` };
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !available(pod)))
      return { actions, waiting: `${pod.metadata.name} is not healthy` };
    actions.push({ type: 'delete', pod, why: 'scale-down' });
    if (monotonic) return { actions, waiting: `deleting ${pod.metadata.name}` };
  }

  if (spec.updateStrategy.type === 'OnDelete') return { actions };
  const updateMin = start + spec.updateStrategy.partition;
  for (let i = replicas.length - 1; i >= 0 && start + i >= updateMin; i--) {
    const pod = replicas[i]!;
    if (!pod.metadata.creationTimestamp) return { actions, waiting: `${pod.metadata.name} is being created` };
    if (revisionLabel(pod) !== revisions.update.metadata.name && !isTerminating(pod)) {
      actions.push({ type: 'delete', pod, why: 'update' });
      return { actions, waiting: `updating ${pod.metadata.name}` };
    }
    if (!isHealthy(pod)) return { actions, waiting: `${pod.metadata.name} is not healthy` };
  }
  return { actions };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  conditions?: unknown[];
}

/** computeReplicaStatus + completeRollingUpdate. */
export function statefulSetStatus(set: KubeObject, revisions: Revisions, pods: KubeObject[], now: Date, speed = 1): StatefulSetStatus {
  const spec = statefulSetSpec(set);
  const prev = (set.status ?? {}) as { collisionCount?: number; conditions?: unknown[] };
  let currentRevision = revisions.current.metadata.name!;
  const updateRevision = revisions.update.metadata.name!;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const p of pods) {
    if (ordinalOf(set, p) < 0) continue;
    replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (isRunningAndAvailable(p, spec.minReadySeconds, now, speed)) available++;
    }
    if (!isTerminating(p)) {
      const r = revisionLabel(p);
      if (r === currentRevision) current++;
      if (r === updateRevision) updated++;
    }
  }
  // completeRollingUpdate
  if (spec.updateStrategy.type === 'RollingUpdate' && updated === replicas && ready === replicas) {
    current = updated;
    currentRevision = updateRevision;
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    availableReplicas: available,
    currentRevision,
    updateRevision,
    collisionCount: prev.collisionCount ?? 0,
  };
  if (prev.conditions?.length) status.conditions = prev.conditions;
  // StatefulSetStatus: replicas, availableReplicas and (a pointer) collisionCount are always written.
  return omitZero(status, ['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas']);
}
