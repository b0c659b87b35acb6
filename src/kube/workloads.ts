/**
 * cairn's Kubernetes layer for releases: applies the objects rendered by ./render/ and reads them back.
 *
 * API (every call returns a KubeResult — `{ ok: true, value } | { ok: false, error: { kind, message, status, reason?,
 * object?, permanent? } }` with kind NotFound | Conflict | Invalid | Forbidden | Unavailable, `object` the object
 * refused and `permanent` where this layer knows better than the status (engine/refusal.ts); Unavailable/Conflict are already
 * retried with capped exponential back-off; every call is idempotent and safe to repeat after a crash):
 *
 *   const kube = createWorkloads((cluster) => registry.kubeConfig(cluster));
 *   kube.ensureBase(target, ports)              namespace + environment Service over `ports` (deleted when `ports` is
 *                                               empty) + headless Service when stateful; updates ports/selector
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
 *   kube.deleteInstances(target, podNames)      → names deleted: only the environment's pods, not already deleting;
 *                                               unknown names are skipped; their controller recreates them
 *   kube.removeRevision(target, revisionNumber) stateless: Deployment (foreground) + ConfigMap + Secret;
 *                                               stateful: ConfigMap + Secret (Invalid for the template's revision);
 *                                               missing objects are fine
 *   kube.listRevisionsInCluster(target)         → RevisionInCluster[] found by label (after a restart)
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
 * Names and labels (see render/names.ts): Deployment `<app>-<env>-r<N>`, StatefulSet `<app>-<env>`,
 * Service `<app>-<env>`, headless Service `<app>-<env>-headless`, ConfigMap `<app>-<env>-r<N>-files`,
 * Secret `<app>-<env>-r<N>-env` (env = production|test; long names are cut and hashed to stay valid).
 * Labels on every object and pod: cairn.dev/app, cairn.dev/environment (production|test),
 * cairn.dev/revision (on per-revision objects and pods), app.kubernetes.io/managed-by=cairn,
 * app.kubernetes.io/name=<app>.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { PortMapping } from '../domain/config-types.js';
import { about, inNamespace } from './error-object.js';
import { attempt, ok, unwrap, withRetry, type KubeError, type KubeObjectRef, type KubeResult, type RetryOptions } from './kube-errors.js';
import {
  LABEL_REVISION,
  ANNOTATION_IMAGE,
  environmentLabelSelector,
  names,
  renderConfigMap,
  renderDeployment,
  renderHeadlessService,
  renderNamespace,
  renderSecret,
  renderService,
} from './render/index.js';
import { clientCache, mergePatch, type Clients } from './workloads-clients.js';
import { ensureStatefulSet } from './workloads-stateful.js';
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
  ensureRevision(target: EnvironmentTarget, revision: RevisionSpec, replicas: number, options?: EnsureRevisionOptions): Promise<KubeResult<void>>;
  scaleRevision(target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<KubeResult<void>>;
  setPartition(target: EnvironmentTarget, partition: number): Promise<KubeResult<void>>;
  /** Deletes those of the named pods that belong to the environment; returns the names deleted. */
  deleteInstances(target: EnvironmentTarget, podNames: string[]): Promise<KubeResult<string[]>>;
  removeRevision(target: EnvironmentTarget, revisionNumber: number): Promise<KubeResult<void>>;
  listRevisionsInCluster(target: EnvironmentTarget): Promise<KubeResult<RevisionInCluster[]>>;
  observeEnvironment(target: EnvironmentTarget, options?: Partial<ObserveOptions>): Promise<KubeResult<EnvironmentObservation>>;
  /** The events of one of the environment's pods, oldest first. */
  listInstanceEvents(target: EnvironmentTarget, podName: string): Promise<KubeResult<InstanceEvent[]>>;
}

const isMissing = (e: KubeError) => e.kind === 'NotFound';

/** The image a Deployment runs: cairn's annotation, else its first container's image. */
function imageOf(d: { metadata?: { annotations?: Record<string, string> }; spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }) {
  return d.metadata?.annotations?.[ANNOTATION_IMAGE] ?? d.spec?.template?.spec?.containers?.[0]?.image;
}

export function createWorkloads(kubeConfigFor: (cluster: string) => KubeConfig, options: WorkloadsOptions = {}): Workloads {
  const clientsFor = clientCache(kubeConfigFor);
  const retry = options.retry ?? {};
  /** Calls that retry Unavailable and Conflict; a failure names `object`. */
  const call = <T>(fn: () => Promise<T>, object?: KubeObjectRef) => withRetry(fn, retry).then((r) => (object ? about(object)(r) : r));
  /** Creates retry Unavailable only: a 409 there is AlreadyExists, an answer. */
  const create = <T>(fn: () => Promise<T>, object?: KubeObjectRef) =>
    withRetry(fn, { ...retry, retryOn: ['Unavailable'] }).then((r) => (object ? about(object)(r) : r));

  /** Create; AlreadyExists → `onExists` (or nothing). */
  async function createOrElse<T>(object: KubeObjectRef, fn: () => Promise<T>, onExists?: () => Promise<KubeResult<unknown>>): Promise<void> {
    const created = await create(fn, object);
    if (created.ok) return;
    if (created.error.kind !== 'Conflict') throw created.error;
    if (onExists) unwrap(about(object)(await onExists()));
  }

  /** Ignores NotFound. */
  async function deleteIfPresent(object: KubeObjectRef, fn: () => Promise<unknown>): Promise<void> {
    const r = await call(fn, object);
    if (!r.ok && !isMissing(r.error)) throw r.error;
  }

  async function ensureNamespace({ core }: Clients, target: EnvironmentTarget): Promise<void> {
    const body = renderNamespace(target);
    const object = { kind: 'Namespace', name: target.namespace };
    const created = await create(() => core.createNamespace({ body }), object);
    if (created.ok || created.error.kind === 'Conflict') return;
    // Without the right to create namespaces, an existing one is enough.
    if (created.error.kind === 'Forbidden' && (await call(() => core.readNamespace({ name: target.namespace }))).ok) return;
    throw created.error;
  }

  async function ensureService(c: Clients, body: ReturnType<typeof renderHeadlessService>): Promise<void> {
    const { name, namespace } = { name: body.metadata!.name!, namespace: body.metadata!.namespace! };
    const patch = { metadata: { labels: body.metadata!.labels }, spec: { selector: body.spec!.selector, ports: body.spec!.ports } };
    await createOrElse(
      inNamespace('Service', namespace, name),
      () => c.core.createNamespacedService({ namespace, body }),
      () => call(() => c.core.patchNamespacedService({ name, namespace, body: patch }, mergePatch)),
    );
  }

  async function ensureRevisionObjects(c: Clients, target: EnvironmentTarget, revision: RevisionSpec): Promise<void> {
    const { namespace } = target;
    const configMap = renderConfigMap(target, revision.number, revision.settings.fileMounts);
    if (configMap) await createOrElse(inNamespace('ConfigMap', namespace, configMap.metadata!.name!), () => c.core.createNamespacedConfigMap({ namespace, body: configMap }));
    const secret = renderSecret(target, revision.number, revision.settings.env);
    if (secret) await createOrElse(inNamespace('Secret', namespace, secret.metadata!.name!), () => c.core.createNamespacedSecret({ namespace, body: secret }));
  }

  async function scaleDeployment(c: Clients, target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<void> {
    const name = names.deployment(target, revisionNumber);
    const object = inNamespace('Deployment', target.namespace, name);
    unwrap(await call(() => c.apps.patchNamespacedDeployment({ name, namespace: target.namespace, body: { spec: { replicas } } }, mergePatch), object));
  }

  return {
    ensureBase: (target, ports) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        await ensureNamespace(c, target);
        const service = renderService(target, ports);
        if (service) await ensureService(c, service);
        else {
          // No port mapped any more: the environment's Service goes (a ClusterIP Service needs a port).
          const name = names.service(target);
          await deleteIfPresent(inNamespace('Service', target.namespace, name), () => c.core.deleteNamespacedService({ name, namespace: target.namespace }));
        }
        // The headless Service stays without ports: the StatefulSet's pods take their DNS names from it.
        if (target.appType === 'STATEFUL') await ensureService(c, renderHeadlessService(target, ports));
      }),

    ensureRevision: (target, revision, replicas, opts = {}) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        await ensureRevisionObjects(c, target, revision);
        if (target.appType === 'STATEFUL') return ensureStatefulSet(c, target, revision, replicas, opts.partition, call, create);
        const body = renderDeployment(target, revision, replicas);
        const name = body.metadata!.name!;
        const object = inNamespace('Deployment', target.namespace, name);
        await createOrElse(
          object,
          () => c.apps.createNamespacedDeployment({ namespace: target.namespace, body }),
          async () => {
            const read = await call(() => c.apps.readNamespacedDeployment({ name, namespace: target.namespace }), object);
            // Gone between the create's AlreadyExists and this read: the next attempt creates it.
            if (!read.ok && isMissing(read.error)) throw { ...read.error, permanent: false } satisfies KubeError;
            const existing = unwrap(read);
            if (existing.metadata?.deletionTimestamp) {
              throw { kind: 'Conflict', message: `deployment ${name} is being deleted; try again once it is gone`, status: null, object, permanent: false } satisfies KubeError;
            }
            const image = imageOf(existing);
            if (image !== undefined && image !== revision.image) {
              throw {
                kind: 'Conflict',
                reason: 'AlreadyExists',
                message: `deployment ${name} already exists and runs ${image}, not ${revision.image} of revision ${revision.number} (made by someone else, or by another cairn database?)`,
                status: null,
                object,
                permanent: true,
              } satisfies KubeError;
            }
            if (existing.spec?.replicas !== replicas) await scaleDeployment(c, target, revision.number, replicas);
            return ok(undefined);
          },
        );
      }),

    scaleRevision: (target, revisionNumber, replicas) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        if (target.appType === 'STATELESS') return scaleDeployment(c, target, revisionNumber, replicas);
        const name = names.statefulSet(target);
        const object = inNamespace('StatefulSet', target.namespace, name);
        unwrap(await call(() => c.apps.patchNamespacedStatefulSet({ name, namespace: target.namespace, body: { spec: { replicas } } }, mergePatch), object));
      }),

    setPartition: (target, partition) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        const name = names.statefulSet(target);
        const body = { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: Math.max(0, partition) } } } };
        unwrap(await call(() => c.apps.patchNamespacedStatefulSet({ name, namespace: target.namespace, body }, mergePatch), inNamespace('StatefulSet', target.namespace, name)));
      }),

    deleteInstances: (target, podNames) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        const pods = unwrap(await call(() => c.core.listNamespacedPod({ namespace: target.namespace, labelSelector: environmentLabelSelector(target) })));
        const mine = new Map(pods.items.map((p: V1Pod) => [p.metadata!.name!, p]));
        const deleted: string[] = [];
        for (const name of podNames) {
          const pod = mine.get(name);
          if (!pod || pod.metadata?.deletionTimestamp) continue;
          await deleteIfPresent(inNamespace('Pod', target.namespace, name), () => c.core.deleteNamespacedPod({ name, namespace: target.namespace }));
          deleted.push(name);
        }
        return deleted;
      }),

    removeRevision: (target, revisionNumber) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        const { namespace } = target;
        if (target.appType === 'STATELESS') {
          const name = names.deployment(target, revisionNumber);
          await deleteIfPresent(inNamespace('Deployment', namespace, name), () => c.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Foreground' }));
        } else {
          const set = await call(() => c.apps.readNamespacedStatefulSet({ name: names.statefulSet(target), namespace }));
          if (set.ok && set.value.metadata?.labels?.[LABEL_REVISION] === String(revisionNumber)) {
            const object = inNamespace('StatefulSet', namespace, names.statefulSet(target));
            throw { kind: 'Invalid', message: `revision ${revisionNumber} is the StatefulSet's current template`, status: null, object } satisfies KubeError;
          }
        }
        const configMap = names.configMap(target, revisionNumber);
        const secret = names.secret(target, revisionNumber);
        await deleteIfPresent(inNamespace('ConfigMap', namespace, configMap), () => c.core.deleteNamespacedConfigMap({ name: configMap, namespace }));
        await deleteIfPresent(inNamespace('Secret', namespace, secret), () => c.core.deleteNamespacedSecret({ name: secret, namespace }));
      }),

    listRevisionsInCluster: (target) => attempt(() => listRevisionsInCluster(clientsFor(target.cluster), target, call)),

    observeEnvironment: (target, opts = {}) =>
      attempt(async () => {
        const c = clientsFor(target.cluster);
        return observeEnvironment(c, target, call, { unschedulableAfterMs: opts.unschedulableAfterMs ?? options.unschedulableAfterMs ?? 60_000, now: opts.now });
      }),

    listInstanceEvents: (target, podName) => attempt(() => instanceEvents(clientsFor(target.cluster), target, podName, call)),
  };
}
