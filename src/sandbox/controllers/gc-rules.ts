/**
 * The garbage collector's decisions (pkg/controller/garbagecollector: attemptToDeleteItem,
 * classifyReferences, processDeletingDependentsItem, orphanDependents), as pure functions.
 */
import type { KubeObject, OwnerReference } from '../store/types.js';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export type Policy = 'Background' | 'Foreground' | 'Orphan';

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
export const isDeletingDependents = (o: KubeObject) => !!o.metadata.deletionTimestamp && hasFinalizer(o, FOREGROUND);

export interface OwnerLookupResult {
  ref: OwnerReference;
  /** The object the reference names, if it exists with the referenced uid; 'unknown' when its kind is not served. */
  owner: KubeObject | undefined | 'unknown';
}

export interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

/** classifyReferences: solid owners, dangling references (owner gone or replaced), owners deleting in foreground. */
export function classifyReferences(owners: OwnerLookupResult[]): Classified {
  const out: Classified = { solid: [], dangling: [], waiting: [] };
  for (const { ref, owner } of owners) {
    if (owner === 'unknown') out.solid.push(ref); // cannot tell: never delete on a guess
    else if (!owner || owner.metadata.uid !== ref.uid) out.dangling.push(ref);
    else if (isDeletingDependents(owner)) out.waiting.push(ref);
    else out.solid.push(ref);
  }
  return out;
}

export type DependentDecision =
  | { action: 'none' }
  | { action: 'removeOwnerReferences'; uids: string[] }
  /** `unblock`: first make the item's blocking owner references non-blocking (a cycle would deadlock). */
  | { action: 'delete'; policy: Policy; unblock?: boolean };

/**
 * attemptToDeleteItem for an object with ownerReferences. An item whose owner deletes in the
 * foreground and which has dependents goes in the foreground too; when one of those dependents is
 * itself deleting its dependents, the chain may be a cycle (a → b → c → a, all blocking), so the
 * item's owner references are first made non-blocking, as the real collector does.
 */
export function decideDependent(item: KubeObject, owners: OwnerLookupResult[], dependents: KubeObject[]): DependentDecision {
  if (item.metadata.deletionTimestamp) return { action: 'none' }; // being deleted: a one-way trip
  if (owners.length === 0) return { action: 'none' };
  const { solid, dangling, waiting } = classifyReferences(owners);
  if (solid.length) {
    if (!dangling.length && !waiting.length) return { action: 'none' };
    return { action: 'removeOwnerReferences', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length && dependents.length) {
    const cycle = dependents.some(isDeletingDependents);
    const blocking = (item.metadata.ownerReferences ?? []).some((r) => r.blockOwnerDeletion);
    return { action: 'delete', policy: 'Foreground', ...(cycle && blocking ? { unblock: true } : {}) };
  }
  if (hasFinalizer(item, ORPHAN)) return { action: 'delete', policy: 'Orphan' };
  if (hasFinalizer(item, FOREGROUND)) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: 'Background' };
}

/** unblockOwnerReferences: every blocking owner reference made non-blocking. */
export function unblockOwnerReferences(refs: OwnerReference[]): OwnerReference[] {
  return refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}

/** Owners whose blocking reference from this object went away or stopped blocking (addUnblockedOwnersToDeleteQueue). */
export function unblockedOwners(before: OwnerReference[] | undefined, after: OwnerReference[] | undefined): OwnerReference[] {
  const stillBlocking = new Set((after ?? []).filter((r) => r.blockOwnerDeletion).map((r) => r.uid));
  return (before ?? []).filter((r) => r.blockOwnerDeletion && !stillBlocking.has(r.uid));
}

export type OwnerDecision =
  | { action: 'none' }
  | { action: 'orphan'; dependents: KubeObject[] }
  | { action: 'deleteDependents'; dependents: KubeObject[] }
  | { action: 'removeFinalizer'; finalizer: string };

/**
 * For an owner being deleted: the orphan finalizer → strip our references from the dependents and
 * then drop the finalizer; the foregroundDeletion finalizer → delete the dependents and drop the
 * finalizer once no dependent with blockOwnerDeletion is left (the others are collected as dangling
 * once the owner is gone).
 */
export function decideOwner(owner: KubeObject, dependents: KubeObject[]): OwnerDecision {
  if (!owner.metadata.deletionTimestamp) return { action: 'none' };
  const uid = owner.metadata.uid;
  const mine = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  if (hasFinalizer(owner, ORPHAN)) return mine.length ? { action: 'orphan', dependents: mine } : { action: 'removeFinalizer', finalizer: ORPHAN };
  if (hasFinalizer(owner, FOREGROUND)) {
    const blocking = mine.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) return { action: 'removeFinalizer', finalizer: FOREGROUND };
    // Every dependent not yet on its way goes (each by its own attemptToDelete); the owner waits for the blocking ones.
    return { action: 'deleteDependents', dependents: mine.filter((d) => !d.metadata.deletionTimestamp) };
  }
  return { action: 'none' };
}
