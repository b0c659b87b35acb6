import type { KubeError, KubeObjectRef } from '../kube/kube-errors.js';

/** The failure reason of a step the cluster refused for good (an InstanceFailure's `reason`). */
export const REFUSED_REASON = 'CLUSTER_REFUSED';

/**
 * Whether repeating a refused call cannot help. A caller's own verdict (`permanent`) wins; else by
 * status: 4xx answers are permanent (Invalid, BadRequest, Unauthorized, Forbidden, a 409 that says
 * AlreadyExists of a foreign object) except an optimistic-concurrency 409, 404, 408, 410 and 429;
 * 5xx, network errors and timeouts (no status) are retryable. A 404 is an object that went between
 * the observation and the step: the next pass sees it missing and sets it up again (a step that
 * keeps failing ends at the batch deadline, DEADLINE_EXCEEDED, with its last error).
 */
export function isPermanent(e: Pick<KubeError, 'kind' | 'status' | 'reason' | 'permanent'>): boolean {
  if (e.permanent !== undefined) return e.permanent;
  if (e.status === null) return e.kind === 'Invalid' || e.kind === 'Forbidden';
  if (e.status === 404 || e.status === 408 || e.status === 410 || e.status === 429 || e.status >= 500) return false;
  if (e.status === 409) return e.reason === 'AlreadyExists';
  return e.status >= 400;
}

/** `Deployment cairn-shop/shop-production-r2`, or null when the object is not known. */
export function describeObject(o: KubeObjectRef | undefined): string | null {
  if (!o) return null;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/**
 * The name an object failure is recorded under (`Deployment/shop-production-r2`): a pod name never
 * holds a `/`, so a retry can tell it from an instance to recreate.
 */
export function objectFailureName(o: KubeObjectRef | undefined, step: string): string {
  return o ? `${o.kind}/${o.name}` : `step/${step}`;
}

/** Whether an (open) failure names an object a step was refused on, not an instance. */
export const isObjectFailure = (name: string) => name.includes('/');
