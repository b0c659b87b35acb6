/**
 * The contract between the sandbox's object store (owned by the API server) and everything that
 * runs in-process beside it (controllers, scheduler, garbage collector). The node agent does NOT use
 * this: it talks to the API server over HTTP through @kubernetes/client-node, as a kubelet would.
 *
 * Objects handed out are deep copies: mutating them never changes the store.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A served resource type, e.g. { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' }. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served under this resource (e.g. 'status', 'scale', 'log', 'exec'). */
  subresources: string[];
}

/** `apps/deployments`, `/pods` (core has an empty group). */
export type ResourceKey = string;
export const resourceKey = (group: string, resource: string): ResourceKey => `${group}/${resource}`;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SubscribeOptions {
  /**
   * The listener never changes what it is given (nor keeps it to change later): it then gets the
   * stored objects themselves instead of copies (the API server's watches, which only serialise).
   */
  readOnly?: boolean;
}

export interface StoreEvent {
  type: WatchEventType;
  key: ResourceKey;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (undefined for ADDED). */
  old?: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * The caller only reads the items (an in-process controller's lister): they are then the stored
   * objects themselves, not copies. Under vitest the store freezes what it stores, so a caller that
   * changes them after all fails loudly.
   */
  readOnly?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** For pods bound to a node: > 0 marks the pod terminating (deletionTimestamp) and leaves removal to the node agent. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Errors are thrown as StoreError with Kubernetes' reason and HTTP code, so that the API server can
 * turn them into `Status` bodies unchanged.
 */
export class StoreError extends Error {
  constructor(
    readonly code: number,
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Gone' | 'Forbidden' | 'MethodNotAllowed',
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] },
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface Store {
  readonly types: readonly ResourceType[];
  /** The store's current resourceVersion (a cluster-wide counter). */
  currentVersion(): number;
  get(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined;
  list(key: ResourceKey, options?: ListOptions): { items: KubeObject[]; resourceVersion: string };
  /** Validates, defaults (uid, creationTimestamp, generation, generateName), and stores. Throws StoreError. */
  create(key: ResourceKey, object: KubeObject): KubeObject;
  /**
   * Replaces the object. A set metadata.resourceVersion that is not current → 409 Conflict.
   * `subresource: 'status'` changes only `.status`; otherwise `.status` is kept and generation bumps
   * when `.spec` changed.
   */
  update(key: ResourceKey, object: KubeObject, options?: { subresource?: 'status' }): KubeObject;
  /**
   * Read-modify-write with retries on conflict, for in-process controllers. `mutate` returns the new
   * object, or undefined to write nothing. Returns the stored object (or undefined if it is gone).
   */
  modify(
    key: ResourceKey,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | undefined,
    options?: { subresource?: 'status' },
  ): KubeObject | undefined;
  /** Deletes honouring finalizers, grace periods and propagation policy. Returns the deleted (or now-terminating) object. */
  delete(key: ResourceKey, namespace: string | undefined, name: string, options?: DeleteOptions): KubeObject;
  /** Every change to every object, in resourceVersion order, delivered synchronously after the write. Returns unsubscribe. */
  subscribe(listener: (event: StoreEvent) => void, options?: SubscribeOptions): () => void;

  // --- Optional in the contract; createStore (src/sandbox/store/store.ts) implements them all. ---

  /**
   * The retained events of `key` with a resourceVersion greater than `resourceVersion`, oldest first
   * (deep copies). Throws StoreError 410 `too old resource version: R (O)` when events after R may have
   * been dropped (window overflow or compact()), and 400 for a resourceVersion that is not an integer.
   * A watch starts with `const backlog = store.eventsSince(key, rv); const off = store.subscribe(...)`
   * in the same synchronous turn, so nothing falls between the two. resourceVersion "0"/"" ("any") is
   * the caller's business: list, then subscribe.
   */
  eventsSince?(key: ResourceKey, resourceVersion: string | number): StoreEvent[];
  /** The oldest resourceVersion a watch of `key` (or of every type) can still start from. */
  oldestVersion?(key?: ResourceKey): number;
  /** Fault injection: drop all watch history up to now, so every older resourceVersion gets 410. */
  compact?(): void;
  /**
   * pods/binding: sets spec.nodeName and the PodScheduled condition (the only way to set nodeName on
   * an existing pod). 409 if the pod is already bound or being deleted (or `uid` does not match),
   * 404 if it does not exist. The Binding's annotations are copied onto the pod, as BindingREST does.
   */
  bind?(namespace: string, name: string, nodeName: string, options?: { uid?: string; annotations?: Record<string, string> }): KubeObject;
}
