/**
 * An app's namespace, and cairn's rights in it. cairn holds no write, exec or Secret right
 * cluster-wide (deploy/base/rbac/): when it creates an app's namespace it binds the ClusterRole
 * `cairn-namespace` (services, configmaps, secrets, pods delete/log/exec, deployments, statefulsets)
 * to itself there with a RoleBinding `cairn`, before anything else is made in it.
 *
 *   ensureNamespace(k, target, binding, bound)
 *     namespace created (or it exists)                      → then, with a binding configured:
 *     created by cairn now, or labelled managed-by=cairn     → RoleBinding `cairn` created (AlreadyExists is fine),
 *                                                              then awaited until the API server applies it
 *     exists and is not cairn's (no managed-by=cairn label)  → never bound by cairn; fine when cairn already
 *                                                              may work in it (an operator's binding), else a
 *                                                              NamespaceNotManaged refusal naming the namespace
 *   A refusal (a 403 on the RoleBinding) is a KubeError about `RoleBinding <ns>/cairn`: the order fails
 *   at once with CLUSTER_REFUSED, never a hang.
 */
import type { RbacV1Subject, V1Namespace, V1RoleBinding } from '@kubernetes/client-node';
import { inNamespace } from './error-object.js';
import { unwrap, type KubeError, type KubeObjectRef } from './kube-errors.js';
import { LABEL_MANAGED_BY, MANAGED_BY, renderNamespace } from './render/index.js';
import type { WorkloadContext } from './strategy/index.js';
import type { EnvironmentTarget } from './workloads-types.js';

/** Which ClusterRole cairn binds in each app namespace, and to whom. */
export interface NamespaceBinding {
  /** deploy/'s `cairn-namespace` (CAIRN_NAMESPACE_BINDING_ROLE). */
  clusterRole: string;
  /**
   * cairn's identity on the clusters, a Kubernetes user name (CAIRN_NAMESPACE_BINDING_USER):
   * `system:serviceaccount:<namespace>:<name>` is bound as that ServiceAccount, anything else as a User.
   */
  user: string;
  /** How long cairn waits for a new binding to apply before it goes on (default 5 s). */
  effectiveWithinMs?: number;
}

export const ROLE_BINDING_NAME = 'cairn';
const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The subject a user name stands for. */
export function bindingSubject(user: string): RbacV1Subject {
  const sa = SERVICE_ACCOUNT_USER.exec(user);
  return sa ? { kind: 'ServiceAccount', namespace: sa[1]!, name: sa[2]! } : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user };
}

/** The RoleBinding `cairn` of an app's namespace. */
export function renderRoleBinding(target: Pick<EnvironmentTarget, 'namespace' | 'appName'>, binding: NamespaceBinding): V1RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: ROLE_BINDING_NAME, namespace: target.namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: binding.clusterRole },
    subjects: [bindingSubject(binding.user)],
  };
}

const isCairns = (ns: V1Namespace | undefined) => ns?.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY;

/** A refusal cairn makes itself (not the API server's): permanent, about `object`. */
const refusal = (object: KubeObjectRef, reason: string, message: string): KubeError => ({ kind: 'Forbidden', status: null, reason, message, object, permanent: true });

/** Whether the API server lets cairn create Services in `namespace` now (a SelfSubjectAccessReview: any authenticated user may ask). */
async function mayWorkIn(k: WorkloadContext, namespace: string): Promise<boolean> {
  const review = unwrap(
    await k.call(() => k.c.authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb: 'create', resource: 'services' } } } })),
  );
  return review.status?.allowed === true;
}

/**
 * Waits (doubling from 50 ms, at most `withinMs`) until a new binding applies: the API server's
 * authorizer learns of it through a watch, so the very next call could still be refused. Asked as
 * "may cairn create Services here" (its next call); when that stays no (an operator took the rule away),
 * cairn goes on and that call's own refusal names what is missing.
 */
async function awaitEffective(k: WorkloadContext, namespace: string, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    if (await mayWorkIn(k, namespace)) return;
    if (Date.now() + delay > until) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Creates the target's namespace (an existing one is fine; without the right to create namespaces,
 * an existing one is enough) and, with `binding`, cairn's RoleBinding in it. `bound` remembers the
 * namespaces already bound (by cluster), so that each order does not repeat the checks.
 */
export async function ensureNamespace(k: WorkloadContext, target: EnvironmentTarget, binding: NamespaceBinding | null, bound: Set<string>): Promise<void> {
  const { namespace } = target;
  const key = `${target.cluster}\0${namespace}`;
  const object: KubeObjectRef = { kind: 'Namespace', name: namespace };
  const created = await k.create(() => k.c.core.createNamespace({ body: renderNamespace(target) }), object);
  let existing: V1Namespace | undefined;
  if (!created.ok) {
    if (created.error.kind !== 'Conflict' && created.error.kind !== 'Forbidden') throw created.error;
    if (binding && bound.has(key)) return;
    const read = await k.call(() => k.c.core.readNamespace({ name: namespace }), object);
    if (!read.ok) throw created.error.kind === 'Forbidden' ? created.error : read.error;
    existing = read.value;
  }
  if (!binding) return;
  const bindingRef = inNamespace('RoleBinding', namespace, ROLE_BINDING_NAME);
  if (existing && !isCairns(existing)) {
    // Not cairn's: cairn never grants itself rights there. An operator may have (their own RoleBinding).
    if (await mayWorkIn(k, namespace)) return void bound.add(key);
    throw refusal(
      object,
      'NamespaceNotManaged',
      `namespace ${namespace} exists and was not created by cairn (it lacks the label ${LABEL_MANAGED_BY}=${MANAGED_BY}), so cairn does not bind itself there; ` +
        `apply a RoleBinding of ClusterRole ${binding.clusterRole} to ${binding.user} in ${namespace} (README, "Run it in a cluster"), or label the namespace ${LABEL_MANAGED_BY}=${MANAGED_BY}`,
    );
  }
  const madeNow = await k.create(() => k.c.rbac.createNamespacedRoleBinding({ namespace, body: renderRoleBinding(target, binding) }), bindingRef);
  if (!madeNow.ok && madeNow.error.kind !== 'Conflict') throw madeNow.error;
  // Only a binding made just now may not apply yet (AlreadyExists: made by an earlier pass).
  if (madeNow.ok) await awaitEffective(k, namespace, binding.effectiveWithinMs ?? 5_000);
  bound.add(key);
}
