/**
 * Pure rules of an object's life in the API server's generic registry: timestamps and generated
 * names, graceful deletion with finalizers and propagation policies (rest.BeforeDelete), the update
 * that completes a deletion (ShouldDeleteDuringUpdate), namespace termination, pod binding.
 */
import { isDeepStrictEqual } from 'node:util';
import { deepCopy } from './copy.js';
import type { DeleteOptions, KubeObject, ResourceKey } from './types.js';

type Obj = Record<string, unknown>;

/** RFC 3339 with second precision, as metav1.Time serialises: `2026-01-01T00:00:00Z`. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Kubernetes' utilrand alphabet (no vowels, no confusable digits). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

/** generateName plus 5 random characters, the prefix cut so the name fits 63 characters. */
export const generatedName = (prefix: string): string => prefix.slice(0, 58) + randomSuffix();

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

/**
 * The grace period a pod deletion gets (podStrategy.CheckGracefulTermination): the requested one, else
 * spec.terminationGracePeriodSeconds, else 30; but 0 for a pod not bound to a node or already finished.
 */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as Obj;
  const phase = ((pod.status ?? {}) as Obj).phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
  return Math.max(0, grace);
}

export type DeletePlan =
  | { action: 'remove'; next: KubeObject }
  | { action: 'mark'; next: KubeObject }
  | { action: 'none' };

/**
 * What a delete does to `old`: remove it now, or mark it (deletionTimestamp, deletionGracePeriodSeconds,
 * a generation bump, the foregroundDeletion finalizer) and leave it to its finalizers or its node.
 * The Orphan policy's stripping of dependents' ownerReferences is the caller's part.
 */
export function planDelete(key: ResourceKey, old: KubeObject, opts: DeleteOptions, now: Date): DeletePlan {
  const grace = key === '/pods' ? podGracePeriod(old, opts.gracePeriodSeconds) : 0;
  const next = deepCopy(old);
  const meta = next.metadata;
  let finalizers = [...(meta.finalizers ?? [])];
  if (opts.propagationPolicy === 'Foreground' && !finalizers.includes(FOREGROUND)) {
    finalizers = finalizers.filter((f) => f !== ORPHAN);
    finalizers.push(FOREGROUND);
  }
  if (finalizers.length) meta.finalizers = finalizers;
  const deadline = rfc3339(new Date(now.getTime() + grace * 1000));

  if (old.metadata.deletionTimestamp) {
    // Already terminating: zero grace with no finalizers removes it; a shorter grace period shortens it.
    if (grace === 0 && finalizers.length === 0) return { action: 'remove', next };
    if (grace < (old.metadata.deletionGracePeriodSeconds ?? 0)) {
      meta.deletionGracePeriodSeconds = grace;
      meta.deletionTimestamp = deadline;
    }
    return isDeepStrictEqual(next, old) ? { action: 'none' } : { action: 'mark', next };
  }
  if (grace === 0 && finalizers.length === 0) return { action: 'remove', next };
  meta.deletionTimestamp = deadline;
  meta.deletionGracePeriodSeconds = grace;
  if (meta.generation !== undefined && meta.generation > 0) meta.generation += 1;
  return { action: 'mark', next };
}

/** The update that removes the last finalizer of an object being deleted (with no grace pending) deletes it. */
export function shouldDeleteDuringUpdate(next: KubeObject, old: KubeObject): boolean {
  const om = old.metadata;
  return !!om.deletionTimestamp && (om.finalizers ?? []).length > 0 && (next.metadata.finalizers ?? []).length === 0 && (om.deletionGracePeriodSeconds ?? 0) === 0;
}

/** `dep` without its ownerReference to `ownerUid` (the Orphan propagation policy). */
export function withoutOwner(dep: KubeObject, ownerUid: string | undefined): KubeObject {
  const next = deepCopy(dep);
  next.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
  return next;
}

export const ownedBy = (dep: KubeObject, owner: KubeObject): boolean =>
  (dep.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid) &&
  (!owner.metadata.namespace || dep.metadata.namespace === owner.metadata.namespace);

/** A namespace being deleted: deletionTimestamp set and status.phase Terminating. */
export function terminatingNamespace(ns: KubeObject, now: Date): KubeObject {
  const next = deepCopy(ns);
  next.metadata.deletionTimestamp = rfc3339(now);
  next.metadata.deletionGracePeriodSeconds = 0;
  next.status = { ...((next.status ?? {}) as Obj), phase: 'Terminating' };
  return next;
}

/** A terminating namespace once empty: spec.finalizers cleared (what the namespace controller's /finalize does). */
export function finalizedNamespace(ns: KubeObject): KubeObject {
  const next = deepCopy(ns);
  if (next.spec && typeof next.spec === 'object') (next.spec as Obj).finalizers = [];
  return next;
}

/**
 * BindingREST.setPodHostAndAnnotations: spec.nodeName, the Binding's annotations, and
 * podutil.UpdatePodCondition(PodCondition{Type: PodScheduled, Status: True}). That call replaces the
 * whole condition, so an earlier `reason: Unschedulable` and its `message` go, lastProbeTime is the
 * zero time (`null`), and lastTransitionTime is now, or the old one if the status was already True.
 */
export function boundPod(pod: KubeObject, nodeName: string, annotations: Record<string, string> | undefined, now: Date): KubeObject {
  const next = deepCopy(pod);
  if (annotations && Object.keys(annotations).length) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
  next.spec = { ...((next.spec ?? {}) as Obj), nodeName };
  const status = (next.status ?? {}) as Obj;
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Obj[];
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  const old = i >= 0 ? conditions[i] : undefined;
  const lastTransitionTime = old?.status === 'True' && old.lastTransitionTime !== undefined ? old.lastTransitionTime : rfc3339(now);
  const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime };
  if (i >= 0) conditions[i] = scheduled;
  else conditions.push(scheduled);
  next.status = { ...status, conditions };
  return next;
}
