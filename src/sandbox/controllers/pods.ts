/** Small facts about pods and owner references that every controller needs (podutil / controller_utils). */
import { deepCopy } from '../store/copy.js';
import type { KubeObject, OwnerReference } from '../store/types.js';

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  [k: string]: unknown;
}

export function podConditions(pod: KubeObject): Condition[] {
  const status = pod.status as { conditions?: Condition[] } | undefined;
  return status?.conditions ?? [];
}

export function podPhase(pod: KubeObject): string {
  return ((pod.status as { phase?: string } | undefined)?.phase ?? 'Pending') as string;
}

export function podReadyCondition(pod: KubeObject): Condition | undefined {
  return podConditions(pod).find((c) => c.type === 'Ready');
}

/** The Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Timestamps in objects are real wall-clock times, while durations in specs (minReadySeconds,
 * progressDeadlineSeconds) are simulated: at speed S a simulated second lasts 1/S real seconds.
 * `simElapsedMs` is how much simulated time has surely passed since a timestamp: one with second
 * precision (as metav1.Time has) counts from the end of its second, so that at high speeds the
 * truncation can only make a deadline or minReadySeconds fire late, never early.
 */
export function simElapsedMs(since: string, now: Date, speed = 1): number {
  const at = Date.parse(since) + (/:\d\d(Z|[+-]\d\d:\d\d)$/.test(since) ? 999 : 0);
  return Math.max(0, now.getTime() - at) * speed;
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date, speed = 1): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  if (!c.lastTransitionTime) return false;
  return simElapsedMs(c.lastTransitionTime, now, speed) >= minReadySeconds * 1000;
}

/** Simulated milliseconds until a ready pod becomes available, or undefined when it is not ready or already available. */
export function msUntilAvailable(pod: KubeObject, minReadySeconds: number, now: Date, speed = 1): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return undefined;
  const left = minReadySeconds * 1000 - simElapsedMs(c.lastTransitionTime, now, speed);
  return left > 0 ? left : undefined;
}

export function isPodTerminal(pod: KubeObject): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

export function isTerminating(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !isTerminating(pod);
}

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function ownerReferenceTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Drops the references to `uid` (omitting an emptied list, as the API server does); false when there were none. */
export function dropOwner(obj: KubeObject, uid: string | undefined): boolean {
  const refs = obj.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => r.uid !== uid);
  if (kept.length === refs.length) return false;
  if (kept.length) obj.metadata.ownerReferences = kept;
  else delete obj.metadata.ownerReferences;
  return true;
}

export function restartCount(pod: KubeObject): number {
  const statuses = (pod.status as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses ?? [];
  return statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

export function creationTime(obj: KubeObject): number {
  const t = obj.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Drops zero-valued fields, as Go's `omitempty` does when the API server serialises a status. */
export function omitZero<T extends object>(obj: T, keys: readonly (keyof T)[]): T {
  for (const k of keys) if (obj[k] === 0 || obj[k] === '') delete obj[k];
  return obj;
}

/** Deep copy of plain JSON data (the store's copy: several times faster than a JSON round trip). */
export function clone<T>(value: T): T {
  return deepCopy(value);
}
