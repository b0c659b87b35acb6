/**
 * The sandbox's in-memory object store: what etcd plus the API server's generic registry do.
 * One cluster-wide resourceVersion counter, optimistic concurrency, validation and defaulting,
 * graceful deletion with finalizers, namespace lifecycle, and a bounded watch history.
 *
 * Internally every stored object is treated as immutable (each write stores a new object), so the
 * history can keep references; everything handed out is a deep copy.
 *
 * Behaviour and messages follow Kubernetes v1.30, the version the sandbox's /version reports.
 * Where the sandbox simplifies: the Orphan propagation policy strips dependents' ownerReferences
 * at once (no `orphan` finalizer round trip); a namespace's deletion deletes its contents
 * synchronously (the namespace controller's job), and the namespace goes once they are gone.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { deepCopy } from './copy.js';
import type { Clock } from '../clock.js';
import {
  StoreError,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type ResourceKey,
  type ResourceType,
  type Store,
  type StoreEvent,
  type WatchEventType,
} from './types.js';
import { CREATE_ON_UPDATE, GENERATION_TRACKED, RESOURCE_TYPES, apiVersionOf, findType, hasStatusSubresource, keyOf } from './resources.js';
import { alreadyExists, badRequest, conflict, forbidden, invalid, notFound, staleVersion } from './errors.js';
import { applyDefaults, prepareForCreate } from './defaults.js';
import { validateCreate, validateUpdate } from './validation.js';
import { decodeError } from './decode.js';
import { fieldErr, type FieldError } from './field-errors.js';
import { matchesFieldSelector, matchesRequirements, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { History } from './history.js';
import { semanticEqual } from './semantic.js';
import {
  boundPod,
  finalizedNamespace,
  generatedName,
  ownedBy,
  planDelete,
  rfc3339,
  shouldDeleteDuringUpdate,
  terminatingNamespace,
  withoutOwner,
} from './lifecycle.js';
import { Allocator } from './ips.js';
import { allocateNewNodePorts, allocateServiceAddresses, carryServiceAddresses, releaseServiceAddresses } from './services.js';

export interface StoreOptions {
  /** Events retained per resource type for watches from an old resourceVersion (default 1000). */
  historySize?: number;
  /** Namespaces that exist from the start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
}

/** The Store with the members the sandbox's API server needs beyond the in-process contract. */
export interface SandboxStore extends Store {
  eventsSince(key: ResourceKey, resourceVersion: string | number): StoreEvent[];
  oldestVersion(key?: ResourceKey): number;
  compact(): void;
  bind(namespace: string, name: string, nodeName: string, options?: { uid?: string; annotations?: Record<string, string> }): KubeObject;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Namespaces the NamespaceLifecycle admission plugin refuses to delete. */
const IMMORTAL_NAMESPACES = new Set(DEFAULT_NAMESPACES);

const clone = <T>(x: T): T => deepCopy(x);

/**
 * Under vitest every stored object is frozen: the store hands its own objects to read-only readers
 * (watches, controllers' listers), and a test then fails on any change to them.
 */
const FREEZE = process.env.VITEST !== undefined;
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
const objKey = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
type Obj = Record<string, unknown>;

/**
 * A listener's view of an event: its objects are deep-copied the first time they are read, so a
 * listener that looks only at `key` (most watches, for most events) costs no copy at all.
 */
function copyOnRead(e: StoreEvent): StoreEvent {
  let object: KubeObject | undefined;
  let old: KubeObject | undefined;
  const view = {
    type: e.type,
    key: e.key,
    get object(): KubeObject {
      return (object ??= clone(e.object));
    },
    set object(value: KubeObject) {
      object = value;
    },
  } as StoreEvent;
  if (e.old)
    Object.defineProperty(view, 'old', {
      get: () => (old ??= clone(e.old!)),
      set: (value: KubeObject) => (old = value),
      enumerable: true,
      configurable: true,
    });
  return view;
}

/** Empty metadata maps and lists are omitted (omitempty) when a real API server serialises an object. */
function dropEmptyMeta(meta: KubeObject['metadata']) {
  for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const v = meta[f];
    if (v !== undefined && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0)) delete meta[f];
  }
}

function unknownResource(key: ResourceKey): StoreError {
  return new StoreError(404, 'NotFound', `the server could not find the requested resource (${key})`);
}

export function createStore(clock: Clock, options: StoreOptions = {}): SandboxStore {
  const objects = new Map<ResourceKey, Map<string, KubeObject>>(RESOURCE_TYPES.map((t) => [keyOf(t), new Map()]));
  /** The same objects by namespace (namespaced types only), so a namespace's list does not walk the cluster. */
  const byNamespace = new Map<ResourceKey, Map<string, Map<string, KubeObject>>>(RESOURCE_TYPES.filter((t) => t.namespaced).map((t) => [keyOf(t), new Map()]));
  const history = new History(options.historySize ?? 1000);
  const alloc = new Allocator();
  /** Listeners, and whether each one only reads what it is given (then it gets the stored objects, uncopied). */
  const listeners = new Map<(e: StoreEvent) => void, boolean>();
  const queue: StoreEvent[] = [];
  let dispatching = false;
  let version = 0;

  const typeOf = (key: ResourceKey): ResourceType => {
    const t = findType(key);
    if (!t) throw unknownResource(key);
    return t;
  };
  const bucket = (key: ResourceKey) => objects.get(key)!;
  const nsOf = (t: ResourceType, ns: string | undefined) => (t.namespaced ? ns || 'default' : undefined);
  const now = () => rfc3339(clock.now());

  function dispatch(event: StoreEvent) {
    queue.push(event);
    if (dispatching) return; // delivered by the outer loop, keeping resourceVersion order
    dispatching = true;
    try {
      while (queue.length) {
        const e = queue.shift()!;
        for (const [l, readOnly] of [...listeners]) {
          try {
            l(readOnly ? e : copyOnRead(e));
          } catch (err) {
            console.error('sandbox store: a subscriber threw', err);
          }
        }
      }
    } finally {
      dispatching = false;
    }
  }

  /** Stores `next` (or removes it for DELETED) under a new resourceVersion and tells everyone. */
  function write(t: ResourceType, type: WatchEventType, next: KubeObject, old?: KubeObject): KubeObject {
    version++;
    next.metadata.resourceVersion = String(version);
    if (FREEZE) deepFreeze(next);
    const k = objKey(next.metadata.namespace, next.metadata.name!);
    if (type === 'DELETED') bucket(keyOf(t)).delete(k);
    else bucket(keyOf(t)).set(k, next);
    const index = byNamespace.get(keyOf(t));
    if (index) {
      const ns = next.metadata.namespace ?? '';
      let inNs = index.get(ns);
      if (type !== 'DELETED') {
        if (!inNs) index.set(ns, (inNs = new Map()));
        inNs.set(k, next);
      } else if (inNs) {
        inNs.delete(k);
        if (inNs.size === 0) index.delete(ns);
      }
    }
    const event: StoreEvent = { type, key: keyOf(t), object: next, ...(old ? { old } : {}) };
    history.record(event);
    dispatch(event);
    if (type === 'DELETED') afterRemoval(t, next);
    return next;
  }

  function lookup(t: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    return bucket(keyOf(t)).get(objKey(nsOf(t, ns), name));
  }

  function checkKind(t: ResourceType, o: KubeObject) {
    const apiVersion = apiVersionOf(t);
    if (o.apiVersion !== undefined && o.apiVersion !== '' && o.apiVersion !== apiVersion)
      throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${apiVersion})`);
    if (o.kind !== undefined && o.kind !== '' && o.kind !== t.kind) throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${t.kind})`);
    o.apiVersion = apiVersion;
    o.kind = t.kind;
    const undecodable = decodeError(keyOf(t), o);
    if (undecodable) throw badRequest(undecodable);
  }

  function requireNamespace(t: ResourceType, ns: string | undefined, name: string) {
    if (!t.namespaced || ns === undefined) return;
    const namespace = lookup(typeOf('/namespaces'), undefined, ns);
    if (!namespace) throw notFound(typeOf('/namespaces'), ns);
    if (namespace.metadata.deletionTimestamp)
      throw forbidden(t, name, `unable to create new content in namespace ${ns} because it is being terminated`);
  }

  // --- create ---

  function create(key: ResourceKey, input: KubeObject): KubeObject {
    const t = typeOf(key);
    const o = clone(input) as KubeObject;
    o.metadata = (o.metadata ?? {}) as KubeObject['metadata'];
    checkKind(t, o);
    const meta = o.metadata;
    if (t.namespaced) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[f];
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generatedName(meta.generateName!);
    applyDefaults(key, o);
    prepareForCreate(key, o);
    const errs = validateCreate(key, o, t.namespaced);
    if (errs.length) throw invalid(t, meta.name ?? '', errs);
    requireNamespace(t, meta.namespace, meta.name!);
    for (let attempt = 0; lookup(t, meta.namespace, meta.name!); attempt++) {
      if (!generated || attempt >= 8) throw alreadyExists(t, meta.name!);
      meta.name = generatedName(meta.generateName!);
    }
    if (key === '/services') {
      const serr = allocateServiceAddresses(alloc, o);
      if (serr.length) throw invalid(t, meta.name!, serr);
    }
    dropEmptyMeta(meta);
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (GENERATION_TRACKED.has(key)) meta.generation = 1;
    return clone(write(t, 'ADDED', o));
  }

  // --- update ---

  function update(key: ResourceKey, input: KubeObject, opts: { subresource?: 'status' } = {}): KubeObject {
    const t = typeOf(key);
    const status = opts.subresource === 'status';
    if (status && !hasStatusSubresource(t)) throw unknownResource(`${key}/status`);
    const o = clone(input) as KubeObject;
    o.metadata = (o.metadata ?? {}) as KubeObject['metadata'];
    checkKind(t, o);
    const name = o.metadata.name;
    if (!name) throw invalid(t, '', [fieldErr.required('metadata.name', 'name or generateName is required')]);
    const ns = nsOf(t, o.metadata.namespace);
    const old = lookup(t, ns, name);
    if (!old) {
      if (CREATE_ON_UPDATE.has(key) && !status) return create(key, o);
      throw notFound(t, name);
    }
    const rv = o.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw staleVersion(t, name);
    if (o.metadata.uid && o.metadata.uid !== old.metadata.uid)
      throw conflict(t, name, `Precondition failed: UID in precondition: ${o.metadata.uid}, UID in object meta: ${old.metadata.uid}`);

    let next: KubeObject;
    if (status) {
      next = clone(old);
      if (o.status === undefined) delete next.status;
      else next.status = o.status;
    } else {
      next = o;
      const meta = next.metadata;
      const om = old.metadata;
      meta.namespace = om.namespace;
      if (!t.namespaced) delete meta.namespace;
      for (const f of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
        if (om[f] === undefined) delete meta[f];
        else (meta as Obj)[f] = om[f];
      }
      delete meta.resourceVersion;
      applyDefaults(key, next);
      // Namespaces change spec.finalizers only through /finalize.
      if (key === '/namespaces') next.spec = { ...((next.spec ?? {}) as Obj), finalizers: ((old.spec ?? {}) as Obj).finalizers };
      if (hasStatusSubresource(t)) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      const errs: FieldError[] = [];
      if (key === '/services') errs.push(...carryServiceAddresses(next, old));
      errs.push(...validateUpdate(key, next, old, t.namespaced));
      if (om.deletionTimestamp) {
        const added = (meta.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
        if (added.length)
          errs.push(
            fieldErr.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`),
          );
      }
      if (errs.length) throw invalid(t, name, errs);
      if (key === '/services') {
        const perr = allocateNewNodePorts(alloc, next, old);
        if (perr.length) throw invalid(t, name, perr);
        releaseServiceAddresses(alloc, old, next);
      }
      if (GENERATION_TRACKED.has(key) && !semanticEqual(next.spec, old.spec)) meta.generation = (om.generation ?? 0) + 1;
      dropEmptyMeta(meta);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (isDeepStrictEqual(next, old)) return clone(old); // a no-op write changes nothing, as in etcd3's GuaranteedUpdate

    // The update that removes the last finalizer from an object being deleted deletes it.
    if (!status && shouldDeleteDuringUpdate(next, old)) return clone(write(t, 'DELETED', next, old));
    return clone(write(t, 'MODIFIED', next, old));
  }

  function modify(
    key: ResourceKey,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | undefined,
    opts?: { subresource?: 'status' },
  ): KubeObject | undefined {
    const t = typeOf(key);
    for (let attempt = 0; ; attempt++) {
      const current = lookup(t, namespace, name);
      if (!current) return undefined;
      const next = mutate(clone(current));
      if (next === undefined) return clone(current);
      try {
        return update(key, next, opts);
      } catch (err) {
        if (err instanceof StoreError && err.code === 404 && err.reason === 'NotFound' && !lookup(t, namespace, name)) return undefined;
        if (err instanceof StoreError && err.reason === 'Conflict' && attempt < 10 && !String(err.message).includes('Precondition failed')) continue;
        throw err;
      }
    }
  }

  // --- delete ---

  /** Strips ownerReferences to `owner` from its dependents (the Orphan propagation policy, done at once). */
  function orphanDependents(owner: KubeObject) {
    for (const t of RESOURCE_TYPES)
      for (const dep of [...bucket(keyOf(t)).values()]) if (ownedBy(dep, owner)) write(t, 'MODIFIED', withoutOwner(dep, owner.metadata.uid), dep);
  }

  function del(key: ResourceKey, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const t = typeOf(key);
    const old = lookup(t, namespace, name);
    if (!old) throw notFound(t, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== old.metadata.uid)
      throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(t, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    if (key === '/namespaces') return deleteNamespace(t, old);
    if (opts.propagationPolicy === 'Orphan') orphanDependents(old);
    const plan = planDelete(key, old, opts, clock.now());
    if (plan.action === 'none') return clone(old);
    return clone(write(t, plan.action === 'remove' ? 'DELETED' : 'MODIFIED', plan.next, old));
  }

  function deleteNamespace(t: ResourceType, old: KubeObject): KubeObject {
    const name = old.metadata.name!;
    if (IMMORTAL_NAMESPACES.has(name)) throw forbidden(t, name, 'this namespace may not be deleted');
    if (old.metadata.deletionTimestamp) return clone(old);
    const marked = clone(write(t, 'MODIFIED', terminatingNamespace(old, clock.now()), old));
    // The namespace controller's part: delete everything in it, then finish the namespace.
    for (const rt of RESOURCE_TYPES) {
      if (!rt.namespaced) continue;
      for (const o of [...bucket(keyOf(rt)).values()]) {
        if (o.metadata.namespace !== name || o.metadata.deletionTimestamp) continue;
        if (!lookup(rt, name, o.metadata.name!)) continue;
        del(keyOf(rt), name, o.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
    finishNamespace(name);
    return marked;
  }

  function namespaceEmpty(ns: string): boolean {
    return RESOURCE_TYPES.every((rt) => !rt.namespaced || ![...bucket(keyOf(rt)).values()].some((o) => o.metadata.namespace === ns));
  }

  function finishNamespace(ns: string) {
    const t = typeOf('/namespaces');
    const current = lookup(t, undefined, ns);
    if (!current?.metadata.deletionTimestamp || !namespaceEmpty(ns)) return;
    const next = finalizedNamespace(current);
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (!isDeepStrictEqual(next, current)) write(t, 'MODIFIED', next, current);
      return;
    }
    write(t, 'DELETED', next, current);
  }

  function afterRemoval(t: ResourceType, o: KubeObject) {
    if (keyOf(t) === '/services') releaseServiceAddresses(alloc, o);
    if (t.namespaced && o.metadata.namespace) finishNamespace(o.metadata.namespace);
  }

  // --- reads ---

  function get(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = lookup(typeOf(key), namespace, name);
    return o ? clone(o) : undefined;
  }

  function list(key: ResourceKey, opts: ListOptions = {}): { items: KubeObject[]; resourceVersion: string } {
    const t = typeOf(key);
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(key, opts.fieldSelector);
    const scope = t.namespaced && opts.namespace ? byNamespace.get(key)!.get(opts.namespace) : bucket(key);
    const items = [...(scope ?? new Map<string, KubeObject>()).entries()]
      .filter(([, o]) => matchesRequirements(labels, o.metadata.labels) && matchesFieldSelector(key, fields, o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => (opts.readOnly ? o : clone(o)));
    return { items, resourceVersion: String(version) };
  }

  function bind(namespace: string, name: string, nodeName: string, opts: { uid?: string; annotations?: Record<string, string> } = {}): KubeObject {
    const t = typeOf('/pods');
    const old = lookup(t, namespace, name);
    if (!old) throw notFound(t, name);
    const spec = (old.spec ?? {}) as Obj;
    const binding = { ...t, resource: 'pods/binding' };
    if (old.metadata.deletionTimestamp) throw conflict(binding, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw conflict(binding, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
    if (!nodeName) throw invalid({ ...t, kind: 'Binding' }, name, [fieldErr.required('target.name')]);
    if (opts.uid && opts.uid !== old.metadata.uid)
      throw conflict(binding, name, `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${old.metadata.uid}`);
    const next = boundPod(old, nodeName, opts.annotations, clock.now());
    return clone(write(t, 'MODIFIED', next, old));
  }

  function eventsSince(key: ResourceKey, resourceVersion: string | number): StoreEvent[] {
    typeOf(key);
    const rv = typeof resourceVersion === 'number' ? resourceVersion : Number(resourceVersion);
    if (!Number.isInteger(rv) || rv < 0 || (typeof resourceVersion === 'string' && !/^\d+$/.test(resourceVersion)))
      throw badRequest(`invalid resource version: ${JSON.stringify(String(resourceVersion))}`);
    return history.since(key, rv).map((e) => ({ type: e.type, key: e.key, object: clone(e.object), ...(e.old ? { old: clone(e.old) } : {}) }));
  }

  const store: SandboxStore = {
    types: RESOURCE_TYPES,
    currentVersion: () => version,
    get,
    list,
    create,
    update,
    modify,
    delete: del,
    subscribe(listener, subscribeOptions) {
      listeners.set(listener, subscribeOptions?.readOnly === true);
      return () => listeners.delete(listener);
    },
    eventsSince,
    oldestVersion: (key) => history.oldestVersion(key),
    compact: () => history.compact(version),
    bind,
  };

  for (const ns of options.namespaces ?? DEFAULT_NAMESPACES) create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return store;
}
