/**
 * What a workload strategy works with: one cluster's clients and the calls of cairn's Kubernetes
 * layer (retried, naming the object a failure is about), plus the create-or-else and
 * delete-if-present steps every strategy repeats.
 */
import type { V1Service } from '@kubernetes/client-node';
import { about, inNamespace } from '../error-object.js';
import { unwrap, withRetry, type KubeError, type KubeObjectRef, type KubeResult, type RetryOptions } from '../kube-errors.js';
import { mergePatch, type Clients } from '../workloads-clients.js';

/** A client call with its errors mapped; a failure names `object` when given. */
export type ObjectCall = <T>(fn: () => Promise<T>, object?: KubeObjectRef) => Promise<KubeResult<T>>;

export interface WorkloadContext {
  /** The cluster's clients. */
  c: Clients;
  /** Retries Unavailable and Conflict. */
  call: ObjectCall;
  /** Retries Unavailable only: a 409 on a create is AlreadyExists, an answer. */
  create: ObjectCall;
  /** Create; AlreadyExists → `onExists` (or nothing). */
  createOrElse<T>(object: KubeObjectRef, fn: () => Promise<T>, onExists?: () => Promise<KubeResult<unknown>>): Promise<void>;
  /** Delete, NotFound being fine. */
  deleteIfPresent(object: KubeObjectRef, fn: () => Promise<unknown>): Promise<void>;
  /** Create the Service, or bring its labels, selector and ports to `body`'s. */
  ensureService(body: V1Service): Promise<void>;
}

export const isMissing = (e: KubeError) => e.kind === 'NotFound';

/** The calls with `retry`'s back-off, shared by every cluster. */
export function workloadCalls(retry: RetryOptions = {}): { call: ObjectCall; create: ObjectCall } {
  return {
    call: (fn, object) => withRetry(fn, retry).then((r) => (object ? about(object)(r) : r)),
    create: (fn, object) => withRetry(fn, { ...retry, retryOn: ['Unavailable'] }).then((r) => (object ? about(object)(r) : r)),
  };
}

export function workloadContext(c: Clients, { call, create }: { call: ObjectCall; create: ObjectCall }): WorkloadContext {
  async function createOrElse<T>(object: KubeObjectRef, fn: () => Promise<T>, onExists?: () => Promise<KubeResult<unknown>>): Promise<void> {
    const created = await create(fn, object);
    if (created.ok) return;
    if (created.error.kind !== 'Conflict') throw created.error;
    if (onExists) unwrap(about(object)(await onExists()));
  }
  async function deleteIfPresent(object: KubeObjectRef, fn: () => Promise<unknown>): Promise<void> {
    const r = await call(fn, object);
    if (!r.ok && !isMissing(r.error)) throw r.error;
  }
  async function ensureService(body: V1Service): Promise<void> {
    const { name, namespace } = { name: body.metadata!.name!, namespace: body.metadata!.namespace! };
    const patch = { metadata: { labels: body.metadata!.labels }, spec: { selector: body.spec!.selector, ports: body.spec!.ports } };
    await createOrElse(
      inNamespace('Service', namespace, name),
      () => c.hot.createService(namespace, body),
      () => call(() => c.core.patchNamespacedService({ name, namespace, body: patch }, mergePatch)),
    );
  }
  return { c, call, create, createOrElse, deleteIfPresent, ensureService };
}
