/**
 * cairn's Kubernetes layer for releases: applies the objects rendered by ./render/ and reads them back.
 *
 * API (every call returns a KubeResult — `{ ok: true, value } | { ok: false, error: { kind, message, status, reason?,
 * object?, permanent? } }` with kind NotFound | Conflict | Invalid | Forbidden | Unavailable, `object` the object
 * refused and `permanent` where this layer knows better than the status (engine/refusal.ts); Unavailable/Conflict are already
 * retried with capped exponential back-off; every call is idempotent and safe to repeat after a crash):
 *
 *   const kube = createWorkloads((cluster) => registry.kubeConfig(cluster));
 *   kube.ensureBase(target, ports)              namespace (+ cairn's RoleBinding in it, namespace.ts) + environment
 *                                               Service over `ports` (deleted when `ports` is empty) + headless
 *                                               Service when stateful; updates ports/selector. The namespace is
 *                                               made (and bound) once per process: no call while known
 *   kube.prepareNamespace(target)               the namespace (+ RoleBinding) alone, ahead of a first release
 *   kube.ensureRevision(target, revision, replicas, { partition? })
 *                                               stateless: create the revision's ConfigMap/Secret/Deployment if
 *                                               missing, else only scale it (a revision's template never changes);
 *                                               stateful: ConfigMap/Secret + set the StatefulSet's template to this
 *                                               revision with `replicas`; partition: as given, else 0 for a new
 *                                               StatefulSet, `replicas` when the template changes (no pod moves
 *                                               yet), and left as it is when the template already is this revision
 *   kube.scaleRevision(target, revisionNumber, replicas)   stateless: scale that Deployment (NotFound if missing);
 *                                               stateful: scale the StatefulSet
 *   kube.setPartition(target, partition)        stateful: rollingUpdate.partition (lower it batch by batch)
 *   kube.ensureAccess(target)                   cairn's RoleBinding in an existing app namespace (namespace.ts
 *                                               ensureBinding), once per process: before exec and logs; deletes
 *                                               and removeRevision do it themselves
 *   kube.deleteInstances(target, podNames)      → names deleted: only the environment's pods, not already deleting;
 *                                               unknown names are skipped; their controller recreates them
 *   kube.removeRevision(target, revisionNumber) stateless: Deployment (foreground) + ConfigMap + Secret;
 *                                               stateful: ConfigMap + Secret (Invalid for the template's revision);
 *                                               deleted by their derived names, missing objects are fine
 *   kube.listRevisionsInCluster(target, candidates?)
 *                                               → RevisionInCluster[] its workloads hold, found by label (after a
 *                                                 restart), plus the `candidates` (revision numbers) they do not
 *                                                 hold; ConfigMaps and Secrets are never listed (nor read)
 *   kube.observeEnvironment(target, { unschedulableAfterMs?, now? })
 *                                               → EnvironmentObservation { revisions, instances (each with its
 *                                                 failure or null), statefulSet, observedAt }
 *   kube.listInstanceEvents(target, podName)    → InstanceEvent[] (type, reason, message, count, firstAt, lastAt,
 *                                                 source), oldest first: an instance's system events
 *   instanceFailure(pod, events, now, { unschedulableAfterMs }) (instance-failure.ts) — the pure classifier
 *
 *   target: EnvironmentTarget = { cluster, namespace, appName, appType: 'STATELESS'|'STATEFUL',
 *                                 environmentKind: 'PRODUCTION'|'TEST' }
 *   revision: RevisionSpec = { number, image: 'nginx:1.25', settings: ConfigSettings, releaseOrderId? }
 *   imageReference(settings, tag) (src/domain/image-reference.ts) → the image string for RevisionSpec.image
 *
 * Where a stateless and a stateful app differ, createWorkloads asks the app type's WorkloadStrategy
 * (./strategy/): chosen once per call by `workloadStrategy(target.appType)`.
 *
 * Names and labels (see render/names.ts): Deployment `<app>-<env>-r<N>`, StatefulSet `<app>-<env>`,
 * Service `<app>-<env>`, headless Service `<app>-<env>-headless`, ConfigMap `<app>-<env>-r<N>-files`,
 * Secret `<app>-<env>-r<N>-env` (env = production|test; long names are cut and hashed to stay valid).
 * Labels on every object and pod: cairn.dev/app, cairn.dev/environment (production|test),
 * cairn.dev/revision (on per-revision objects and pods), app.kubernetes.io/managed-by=cairn,
 * app.kubernetes.io/name=<app>.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { PortMapping } from '../domain/config-types.js';
import { inNamespace } from './error-object.js';
import { attempt, unwrap, type KubeResult, type RetryOptions } from './kube-errors.js';
import { environmentLabelSelector, names, renderConfigMap, renderSecret, renderService } from './render/index.js';
import { ensureBinding, ensureNamespace, forgetBinding, forgetNamespace, type BindingTarget, type NamespaceBinding } from './namespace.js';
import { workloadCalls, workloadContext, workloadStrategy, type WorkloadContext } from './strategy/index.js';
import { clientCache } from './workloads-clients.js';
import { listRevisionsInCluster } from './workloads-list.js';
import { instanceEvents, observeEnvironment, type ObserveOptions } from './observe.js';
import type { EnvironmentObservation, EnvironmentTarget, InstanceEvent, RevisionInCluster, RevisionSpec } from './workloads-types.js';

export type { KubeError, KubeErrorKind, KubeResult } from './kube-errors.js';
export type * from './workloads-types.js';
export { instanceFailure } from './instance-failure.js';

export interface WorkloadsOptions {
  /** Retries of Unavailable/Conflict (defaults: 5 attempts, 100 ms doubling to 2 s). */
  retry?: RetryOptions;
  /** Default for observeEnvironment (60 s). */
  unschedulableAfterMs?: number;
  /**
   * The ClusterRole cairn binds to itself in each app namespace it creates (namespace.ts); null or
   * absent: no binding (cairn already holds its rights there, e.g. an operator's own RoleBindings).
   */
  namespaceBinding?: NamespaceBinding | null;
}

export interface EnsureRevisionOptions {
  /**
   * Stateful only. When the StatefulSet's template changes to this revision: defaults to
   * `replicas` (no pod moves until the engine lowers it). When the template already is this
   * revision: left as it is unless given (so repeating the call after a crash undoes nothing).
   */
  partition?: number;
}

export interface Workloads {
  ensureBase(target: EnvironmentTarget, ports: PortMapping[]): Promise<KubeResult<void>>;
  /**
   * The namespace and cairn's RoleBinding in it alone (ensureBase's first part), ahead of the first release: a
   * new environment's first order then starts with its own objects (the engine does it when an app is created).
   */
  prepareNamespace(target: EnvironmentTarget): Promise<KubeResult<void>>;
  ensureRevision(target: EnvironmentTarget, revision: RevisionSpec, replicas: number, options?: EnsureRevisionOptions): Promise<KubeResult<void>>;
  scaleRevision(target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<KubeResult<void>>;
  setPartition(target: EnvironmentTarget, partition: number): Promise<KubeResult<void>>;
  /** cairn's RoleBinding in the target's existing namespace, when it lacks one (cached: free once bound). */
  ensureAccess(target: BindingTarget): Promise<KubeResult<void>>;
  /** Deletes those of the named pods that belong to the environment; returns the names deleted. */
  deleteInstances(target: EnvironmentTarget, podNames: string[]): Promise<KubeResult<string[]>>;
  removeRevision(target: EnvironmentTarget, revisionNumber: number): Promise<KubeResult<void>>;
  /** The revisions the workloads hold, plus `candidates` (numbers whose ConfigMap and Secret may be left). */
  listRevisionsInCluster(target: EnvironmentTarget, candidates?: readonly number[]): Promise<KubeResult<RevisionInCluster[]>>;
  observeEnvironment(target: EnvironmentTarget, options?: Partial<ObserveOptions>): Promise<KubeResult<EnvironmentObservation>>;
  /** The events of one of the environment's pods, oldest first. */
  listInstanceEvents(target: EnvironmentTarget, podName: string): Promise<KubeResult<InstanceEvent[]>>;
}

export function createWorkloads(kubeConfigFor: (cluster: string) => KubeConfig, options: WorkloadsOptions = {}): Workloads {
  const clientsFor = clientCache(kubeConfigFor);
  const calls = workloadCalls(options.retry ?? {});
  const { call } = calls;
  const contextFor = (target: EnvironmentTarget): WorkloadContext => workloadContext(clientsFor(target.cluster), calls);
  const binding = options.namespaceBinding ?? null;
  const bound = new Set<string>();
  /** The app namespaces this process made or found (the create is not repeated while they are known). */
  const present = new Set<string>();
  /**
   * `attempt`, and a refusal in the namespace forgets that it was bound (the binding may be gone: checked again
   * next time); a NotFound forgets that it exists (it may have been deleted: the next step makes it again).
   */
  const attemptIn = <T>(target: BindingTarget, run: () => Promise<T>): Promise<KubeResult<T>> =>
    attempt(run).then((r) => {
      if (!r.ok && r.error.kind === 'Forbidden') forgetBinding(bound, target);
      if (!r.ok && r.error.kind === 'NotFound') forgetNamespace(present, target);
      return r;
    });

  async function ensureRevisionObjects(k: WorkloadContext, target: EnvironmentTarget, revision: RevisionSpec): Promise<void> {
    const { namespace } = target;
    const configMap = renderConfigMap(target, revision.number, revision.settings.fileMounts);
    if (configMap) await k.createOrElse(inNamespace('ConfigMap', namespace, configMap.metadata!.name!), () => k.c.core.createNamespacedConfigMap({ namespace, body: configMap }));
    const secret = renderSecret(target, revision.number, revision.settings.env);
    if (secret) await k.createOrElse(inNamespace('Secret', namespace, secret.metadata!.name!), () => k.c.core.createNamespacedSecret({ namespace, body: secret }));
  }

  return {
    ensureBase: (target, ports) =>
      attemptIn(target, async () => {
        const k = contextFor(target);
        await ensureNamespace(k, target, binding, bound, present);
        const service = renderService(target, ports);
        if (service) await k.ensureService(service);
        else {
          // No port mapped any more: the environment's Service goes (a ClusterIP Service needs a port).
          const name = names.service(target);
          await k.deleteIfPresent(inNamespace('Service', target.namespace, name), () => k.c.core.deleteNamespacedService({ name, namespace: target.namespace }));
        }
        for (const base of workloadStrategy(target.appType).baseServices(target, ports)) await k.ensureService(base);
      }),

    prepareNamespace: (target) => attemptIn(target, () => ensureNamespace(contextFor(target), target, binding, bound, present)),

    ensureRevision: (target, revision, replicas, opts = {}) =>
      attemptIn(target, async () => {
        const k = contextFor(target);
        await ensureRevisionObjects(k, target, revision);
        await workloadStrategy(target.appType).ensureWorkload(k, target, revision, replicas, opts);
      }),

    scaleRevision: (target, revisionNumber, replicas) => attemptIn(target, () => workloadStrategy(target.appType).scale(contextFor(target), target, revisionNumber, replicas)),

    setPartition: (target, partition) => attemptIn(target, () => workloadStrategy(target.appType).setPartition(contextFor(target), target, partition)),

    ensureAccess: (target) => attempt(() => ensureBinding(workloadContext(clientsFor(target.cluster), calls), target, binding, bound)),

    deleteInstances: (target, podNames) =>
      attemptIn(target, async () => {
        const k = contextFor(target);
        await ensureBinding(k, target, binding, bound);
        const pods = unwrap(await call(() => k.c.core.listNamespacedPod({ namespace: target.namespace, labelSelector: environmentLabelSelector(target) })));
        const mine = new Map(pods.items.map((p: V1Pod) => [p.metadata!.name!, p]));
        const deleted: string[] = [];
        for (const name of podNames) {
          const pod = mine.get(name);
          if (!pod || pod.metadata?.deletionTimestamp) continue;
          await k.deleteIfPresent(inNamespace('Pod', target.namespace, name), () => k.c.core.deleteNamespacedPod({ name, namespace: target.namespace }));
          deleted.push(name);
        }
        return deleted;
      }),

    removeRevision: (target, revisionNumber) =>
      attemptIn(target, async () => {
        const k = contextFor(target);
        const { namespace } = target;
        await ensureBinding(k, target, binding, bound);
        await workloadStrategy(target.appType).removeWorkload(k, target, revisionNumber);
        const configMap = names.configMap(target, revisionNumber);
        const secret = names.secret(target, revisionNumber);
        await k.deleteIfPresent(inNamespace('ConfigMap', namespace, configMap), () => k.c.core.deleteNamespacedConfigMap({ name: configMap, namespace }));
        await k.deleteIfPresent(inNamespace('Secret', namespace, secret), () => k.c.core.deleteNamespacedSecret({ name: secret, namespace }));
      }),

    listRevisionsInCluster: (target, candidates = []) => attempt(() => listRevisionsInCluster(contextFor(target), target, workloadStrategy(target.appType), candidates)),

    observeEnvironment: (target, opts = {}) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        return observeEnvironment(c, target, call, { unschedulableAfterMs: opts.unschedulableAfterMs ?? options.unschedulableAfterMs ?? 60_000, now: opts.now });
      }),

    listInstanceEvents: (target, podName) => attempt(() => instanceEvents(clientsFor(target.cluster), target, podName, call)),
  };
}
