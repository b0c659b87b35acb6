/**
 * The garbage collector: follows ownerReferences. Keeps an index of dependents by owner uid (the
 * graph builder's part) and deletes dependents of vanished owners (background), deletes dependents
 * of owners deleting in the foreground before dropping their `foregroundDeletion` finalizer, and
 * orphans dependents of owners carrying the `orphan` finalizer.
 *
 * The store does part of this itself on delete: propagationPolicy=Foreground adds the
 * `foregroundDeletion` finalizer and deletionTimestamp; propagationPolicy=Orphan strips the owner
 * references at once. An `orphan` finalizer set by a client is handled here.
 */
import { resourceKey, StoreError, type KubeObject, type OwnerReference, type ResourceKey, type StoreEvent } from '../store/types.js';
import type { Controller, ControllerContext } from './context.js';
import { dropOwner } from './pods.js';
import { decideDependent, decideOwner, FOREGROUND, ORPHAN, unblockedOwners, unblockOwnerReferences, type OwnerLookupResult } from './gc-rules.js';

const EVENTS = resourceKey('', 'events');
const SEP = '|';

export function createGarbageCollector(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const types = store.types.filter((t) => resourceKey(t.group, t.resource) !== EVENTS);
  const apiVersionOf = (t: (typeof types)[number]) => (t.group ? `${t.group}/${t.version}` : t.version);

  /** owner uid → identities of the objects that reference it. */
  const dependentsByOwner = new Map<string, Set<string>>();
  const refsById = new Map<string, string[]>();

  const identity = (key: ResourceKey, o: KubeObject) => [key, o.metadata.namespace ?? '', o.metadata.name ?? ''].join(SEP);
  const parse = (id: string) => {
    const [key, ns, name] = id.split(SEP) as [string, string, string];
    return { key, namespace: ns || undefined, name };
  };

  function index(id: string, o: KubeObject | undefined) {
    for (const uid of refsById.get(id) ?? []) {
      const set = dependentsByOwner.get(uid);
      set?.delete(id);
      if (set && set.size === 0) dependentsByOwner.delete(uid);
    }
    const uids = (o?.metadata.ownerReferences ?? []).map((r) => r.uid);
    if (uids.length === 0) refsById.delete(id);
    else refsById.set(id, uids);
    for (const uid of uids) (dependentsByOwner.get(uid) ?? dependentsByOwner.set(uid, new Set()).get(uid)!).add(id);
  }

  for (const t of types) {
    const key = resourceKey(t.group, t.resource);
    for (const o of store.list(key).items) if (o.metadata.ownerReferences?.length) index(identity(key, o), o);
  }

  function ownerIdentity(ref: OwnerReference, dependentNamespace: string | undefined): string | undefined {
    const t = types.find((x) => apiVersionOf(x) === ref.apiVersion && x.kind === ref.kind);
    if (!t) return undefined;
    return [resourceKey(t.group, t.resource), t.namespaced ? (dependentNamespace ?? '') : '', ref.name].join(SEP);
  }

  function dependentsOf(uid: string | undefined): { id: string; object: KubeObject }[] {
    if (!uid) return [];
    const out: { id: string; object: KubeObject }[] = [];
    for (const id of dependentsByOwner.get(uid) ?? []) {
      const { key, namespace, name } = parse(id);
      const o = store.get(key, namespace, name);
      if (o && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ id, object: o });
    }
    return out;
  }

  function keysFor(event: StoreEvent): string[] {
    if (event.key === EVENTS) return [];
    const o = event.object;
    const id = identity(event.key, o);
    const keys: string[] = [];
    if (event.type === 'DELETED') {
      index(id, undefined);
      keys.push(...(dependentsByOwner.get(o.metadata.uid ?? '') ?? []));
      // An owner waiting for its dependents may now be free to go.
      for (const ref of o.metadata.ownerReferences ?? []) {
        const oid = ownerIdentity(ref, o.metadata.namespace);
        if (oid) keys.push(oid);
      }
      return keys;
    }
    if (o.metadata.ownerReferences?.length || refsById.has(id)) index(id, o);
    if (o.metadata.ownerReferences?.length) keys.push(id);
    // An owner waiting for its blocking dependents may be free once a reference stops blocking.
    if (event.old?.metadata.ownerReferences?.length) {
      for (const ref of unblockedOwners(event.old.metadata.ownerReferences, o.metadata.ownerReferences)) {
        const oid = ownerIdentity(ref, o.metadata.namespace);
        if (oid) keys.push(oid);
      }
    }
    const fin = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (fin.includes(FOREGROUND) || fin.includes(ORPHAN))) keys.push(id);
    return keys;
  }

  function syncDependent(id: string) {
    const { key, namespace, name } = parse(id);
    const item = store.get(key, namespace, name);
    if (!item || item.metadata.deletionTimestamp) return;
    const refs = item.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners: OwnerLookupResult[] = refs.map((ref) => {
      const oid = ownerIdentity(ref, item.metadata.namespace);
      if (!oid) return { ref, owner: 'unknown' as const };
      const p = parse(oid);
      return { ref, owner: store.get(p.key, p.namespace, p.name) };
    });
    const decision = decideDependent(
      item,
      owners,
      dependentsOf(item.metadata.uid).map((d) => d.object),
    );
    if (decision.action === 'removeOwnerReferences') {
      store.modify(key, namespace, name, (cur) => {
        if (cur.metadata.uid !== item.metadata.uid) return undefined;
        cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((r) => !decision.uids.includes(r.uid));
        if (cur.metadata.ownerReferences.length === 0) delete cur.metadata.ownerReferences;
        return cur;
      });
    } else if (decision.action === 'delete') {
      if (decision.unblock) {
        store.modify(key, namespace, name, (cur) => {
          if (cur.metadata.uid !== item.metadata.uid || !cur.metadata.ownerReferences) return undefined;
          cur.metadata.ownerReferences = unblockOwnerReferences(cur.metadata.ownerReferences);
          return cur;
        });
      }
      try {
        store.delete(key, namespace, name, { propagationPolicy: decision.policy, preconditions: { uid: item.metadata.uid } });
      } catch (err) {
        if (!(err instanceof StoreError) || (err.reason !== 'NotFound' && err.reason !== 'Conflict')) throw err;
      }
    }
  }

  function removeFinalizer(key: string, namespace: string | undefined, name: string, uid: string | undefined, finalizer: string) {
    store.modify(key, namespace, name, (cur) => {
      if (cur.metadata.uid !== uid || !(cur.metadata.finalizers ?? []).includes(finalizer)) return undefined;
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      return cur;
    });
  }

  function sync(id: string): undefined {
    const { key, namespace, name } = parse(id);
    const obj = store.get(key, namespace, name);
    if (!obj) return undefined;
    if (!obj.metadata.deletionTimestamp) {
      syncDependent(id);
      return undefined;
    }
    const deps = dependentsOf(obj.metadata.uid);
    const decision = decideOwner(
      obj,
      deps.map((d) => d.object),
    );
    switch (decision.action) {
      case 'orphan':
        for (const d of deps) {
          const p = parse(d.id);
          store.modify(p.key, p.namespace, p.name, (cur) => {
            return dropOwner(cur, obj.metadata.uid) ? cur : undefined;
          });
        }
        removeFinalizer(key, namespace, name, obj.metadata.uid, ORPHAN);
        break;
      case 'removeFinalizer':
        removeFinalizer(key, namespace, name, obj.metadata.uid, decision.finalizer);
        break;
      case 'deleteDependents':
        for (const d of deps) if (decision.dependents.some((x) => x.metadata.uid === d.object.metadata.uid)) syncDependent(d.id);
        break;
    }
    return undefined;
  }

  return {
    name: 'garbage-collector',
    keysFor,
    sync,
    allKeys: () => {
      const keys: string[] = [];
      for (const t of types) {
        const key = resourceKey(t.group, t.resource);
        for (const o of store.list(key).items) if (o.metadata.ownerReferences?.length || o.metadata.deletionTimestamp) keys.push(identity(key, o));
      }
      return keys;
    },
  };
}
