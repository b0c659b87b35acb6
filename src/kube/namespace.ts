/**
 * An app's namespace, and cairn's rights in it. cairn holds no write, exec or Secret right
 * cluster-wide (deploy/base/rbac/): when it creates an app's namespace it binds the ClusterRole
 * `cairn-namespace` (services, configmaps, secrets, pods delete/log/exec, deployments, statefulsets)
 * to itself there with a RoleBinding `cairn`, before anything else is made in it.
 *
 *   ensureNamespace(k, target, binding, bound)   before a release's objects
 *     namespace created (or it exists)                      → then, with a binding configured:
 *     created by cairn now, or labelled managed-by=cairn     → RoleBinding `cairn` created, then awaited until the
 *                                                              API server applies it;
 *                                                              AlreadyExists: fine when cairn may work there, else a
 *                                                              refusal naming `RoleBinding <ns>/cairn` and the subject
 *                                                              expected (bound to someone else);
 *                                                              Forbidden: fine when cairn may already work there (the
 *                                                              RBAC of an earlier cairn, an operator's binding), else a
 *                                                              refusal naming the missing `rolebindings: create` and
 *                                                              `bind` rights
 *     exists and is not cairn's (no managed-by=cairn label)  → never bound by cairn; fine when cairn already
 *                                                              may work in it (an operator's binding), else a
 *                                                              NamespaceNotManaged refusal naming the namespace
 *   ensureBinding(k, target, binding, bound)     before exec, logs and deletes: the same binding step for a
 *                                                namespace that exists (made before cairn bound itself), no create
 *   "May cairn work there" is a SelfSubjectAccessReview (create services); when that review itself fails
 *   (not allowed, unavailable) the answer is unknown: no wait, and a namespace not cairn's is NamespaceNotManaged.
 *   `bound` caches, per process, the namespaces found bound, and `present` those made or found: once both,
 *   each step costs nothing (no call); a NotFound in the namespace forgets it (it may have been deleted).
 *   A refusal is a permanent KubeError: the order fails at once with CLUSTER_REFUSED, never a hang.
 */
import type { RbacV1Subject, V1Namespace, V1RoleBinding } from '@kubernetes/client-node';
import { inNamespace } from './error-object.js';
import type { KubeError, KubeObjectRef } from './kube-errors.js';
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

const subjectText = (s: RbacV1Subject) => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`);

/**
 * Whether the API server lets cairn create Services in `namespace` now (a SelfSubjectAccessReview:
 * system:basic-user and ClusterRole cairn allow it); null when the review itself fails (unknown).
 */
export async function mayWorkIn(k: WorkloadContext, namespace: string): Promise<boolean | null> {
  const review = await k.call(() => k.c.authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb: 'create', resource: 'services' } } } }));
  return review.ok ? review.value.status?.allowed === true : null;
}

/**
 * Waits (doubling from 50 ms, at most `withinMs`) until a new binding applies: the API server's
 * authorizer learns of it through a watch, so the very next call could still be refused. Asked as
 * "may cairn create Services here" (its next call); when that stays no (an operator took the rule away)
 * or cannot be asked, cairn goes on and that call's own refusal names what is missing.
 */
async function awaitEffective(k: WorkloadContext, namespace: string, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const may = await mayWorkIn(k, namespace);
    if (may !== false) return;
    if (Date.now() + delay > until) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** What the binding step needs of a target. */
export type BindingTarget = Pick<EnvironmentTarget, 'cluster' | 'namespace' | 'appName'>;

const keyOf = (target: BindingTarget) => `${target.cluster}\0${target.namespace}`;

/** The binding steps under way, per `bound` cache and namespace: concurrent calls share one. */
const inFlight = new WeakMap<Set<string>, Map<string, Promise<void>>>();

/** Forgets that the target's namespace was bound (a call there was refused: the binding may be gone). */
export function forgetBinding(bound: Set<string>, target: BindingTarget): void {
  bound.delete(keyOf(target));
}

/** Runs `step` once at a time per namespace: a second caller waits for the first one's step. */
function shared(bound: Set<string>, key: string, step: () => Promise<void>): Promise<void> {
  let steps = inFlight.get(bound);
  if (!steps) inFlight.set(bound, (steps = new Map()));
  const running = steps.get(key);
  if (running) return running;
  const p = step().finally(() => steps.delete(key));
  steps.set(key, p);
  return p;
}

/**
 * Creates the target's namespace (an existing one is fine; without the right to create namespaces,
 * an existing one is enough) and, with `binding`, cairn's RoleBinding in it. `bound` remembers the
 * namespaces already bound (by cluster), so that each order does not repeat the checks.
 */
export async function ensureNamespace(k: WorkloadContext, target: EnvironmentTarget, binding: NamespaceBinding | null, bound: Set<string>, present: Set<string> = new Set()): Promise<void> {
  const { namespace } = target;
  const key = keyOf(target);
  // Made or found by this process, and bound (or nothing to bind): no call. A call in it that finds it gone
  // (NotFound) forgets it (forgetNamespace), so the next step makes it again.
  if (present.has(key) && (!binding || bound.has(key))) return;
  const object: KubeObjectRef = { kind: 'Namespace', name: namespace };
  const created = await k.create(() => k.c.core.createNamespace({ body: renderNamespace(target) }), object);
  if (created.ok) {
    present.add(key);
    return binding ? shared(bound, key, () => bindIn(k, target, binding, bound, null)) : undefined;
  }
  if (created.error.kind !== 'Conflict' && created.error.kind !== 'Forbidden') throw created.error;
  if (created.error.kind === 'Conflict') present.add(key);
  // It exists (or cairn may not create namespaces and it may exist): without a binding nothing more to know.
  if (!binding || bound.has(key)) return;
  const running = inFlight.get(bound)?.get(key);
  if (running) return running;
  const read = await k.call(() => k.c.core.readNamespace({ name: namespace }), object);
  if (!read.ok) throw created.error.kind === 'Forbidden' ? created.error : read.error;
  present.add(key);
  await shared(bound, key, () => bindIn(k, target, binding, bound, read.value));
}

/** Forgets that the target's namespace was made or found (a call in it found something missing: it may be gone). */
export function forgetNamespace(present: Set<string>, target: BindingTarget): void {
  present.delete(keyOf(target));
}

/**
 * The binding step alone, for an existing namespace (exec, logs, deletes): an app namespace made before
 * cairn bound itself gets its binding now instead of at its next release. A namespace that does not
 * exist, or that cairn may not read, is left alone.
 */
export async function ensureBinding(k: WorkloadContext, target: BindingTarget, binding: NamespaceBinding | null, bound: Set<string>): Promise<void> {
  if (!binding || bound.has(keyOf(target))) return;
  const running = inFlight.get(bound)?.get(keyOf(target));
  if (running) return running;
  const object: KubeObjectRef = { kind: 'Namespace', name: target.namespace };
  const read = await k.call(() => k.c.core.readNamespace({ name: target.namespace }), object);
  if (!read.ok) {
    // Missing: nothing to reach there. Refused: cairn cannot tell whose it is, so it binds nothing and the
    // call that follows (an exec, a delete) names its own refusal.
    if (read.error.kind === 'NotFound' || read.error.kind === 'Forbidden') return;
    throw read.error;
  }
  await shared(bound, keyOf(target), () => bindIn(k, target, binding, bound, read.value));
}

/** Whether an existing RoleBinding binds `binding`'s ClusterRole to cairn's subject. */
export function bindsCairn(existing: V1RoleBinding, binding: NamespaceBinding): boolean {
  const want = bindingSubject(binding.user);
  const role = existing.roleRef;
  const sameSubject = (s: RbacV1Subject) => s.kind === want.kind && s.name === want.name && (s.namespace ?? '') === (want.namespace ?? '');
  return role?.kind === 'ClusterRole' && role.name === binding.clusterRole && (existing.subjects ?? []).some(sameSubject);
}

/** Binds cairn in the namespace (`existing`: as read; null: created by cairn just now). */
async function bindIn(k: WorkloadContext, target: BindingTarget, binding: NamespaceBinding, bound: Set<string>, existing: V1Namespace | null): Promise<void> {
  const { namespace } = target;
  const key = keyOf(target);
  const object: KubeObjectRef = { kind: 'Namespace', name: namespace };
  if (existing && !isCairns(existing)) {
    // Not cairn's: cairn never grants itself rights there. An operator may have (their own RoleBinding).
    if ((await mayWorkIn(k, namespace)) === true) return void bound.add(key);
    throw refusal(
      object,
      'NamespaceNotManaged',
      `namespace ${namespace} exists and was not created by cairn (it lacks the label ${LABEL_MANAGED_BY}=${MANAGED_BY}), so cairn does not bind itself there; ` +
        `apply a RoleBinding of ClusterRole ${binding.clusterRole} to ${binding.user} in ${namespace} (README, "Run it in a cluster"), or label the namespace ${LABEL_MANAGED_BY}=${MANAGED_BY}`,
    );
  }
  const bindingRef = inNamespace('RoleBinding', namespace, ROLE_BINDING_NAME);
  const made = await k.create(() => k.c.rbac.createNamespacedRoleBinding({ namespace, body: renderRoleBinding(target, binding) }), bindingRef);
  if (made.ok) {
    // A binding made just now may not apply yet.
    await awaitEffective(k, namespace, binding.effectiveWithinMs ?? 5_000);
    return void bound.add(key);
  }
  const subject = subjectText(bindingSubject(binding.user));
  if (made.error.kind === 'Conflict') {
    // AlreadyExists: made by an earlier pass (or another process, just now), or by someone else for another
    // subject or role. The right one may not apply yet: await it as a new one.
    const existingBinding = await k.call(() => k.c.rbac.readNamespacedRoleBinding({ name: ROLE_BINDING_NAME, namespace }), bindingRef);
    if (existingBinding.ok && bindsCairn(existingBinding.value, binding)) {
      await awaitEffective(k, namespace, binding.effectiveWithinMs ?? 5_000);
      return void bound.add(key);
    }
    const may = await mayWorkIn(k, namespace);
    if (may === true) return void bound.add(key);
    if (may === null) return; // unknown: not cached, the next call asks again
    throw refusal(
      bindingRef,
      'RoleBindingMismatch',
      `RoleBinding ${namespace}/${ROLE_BINDING_NAME} exists but does not let cairn work in ${namespace}: it should bind ClusterRole ${binding.clusterRole} to ${subject}; ` +
        `replace it (kubectl -n ${namespace} delete rolebinding ${ROLE_BINDING_NAME}, and cairn makes it again) or bind ${binding.clusterRole} to ${subject} there yourself`,
    );
  }
  if (made.error.kind !== 'Forbidden') throw made.error;
  // Refused: an older RBAC (cluster-wide rights, an operator's bindings) may let cairn work there already.
  if ((await mayWorkIn(k, namespace)) === true) return void bound.add(key);
  throw {
    ...made.error,
    permanent: true,
    message:
      `cairn may not bind itself in ${namespace}: creating RoleBinding ${namespace}/${ROLE_BINDING_NAME} was refused (${made.error.message}). ` +
      `ClusterRole cairn needs \`rolebindings: create\` (rbac.authorization.k8s.io) and \`bind\` on ClusterRole ${binding.clusterRole} ` +
      `(re-apply deploy/base/rbac after an upgrade), or bind ${binding.clusterRole} to ${subject} in ${namespace} yourself`,
  } satisfies KubeError;
}
