/**
 * cairn's Kubernetes layer for releases: applies the objects rendered by ./render/ and reads them back.
 *
 * API (every call returns a KubeResult — `{ ok: true, value } | { ok: false, error: { kind, message, status } }`
 * with kind NotFound | Conflict | Invalid | Forbidden | Unavailable; Unavailable/Conflict are already
 * retried with capped exponential back-off; every call is idempotent and safe to repeat after a crash):
 *
 *   const kube = createWorkloads((cluster) => registry.kubeConfig(cluster));
 *   kube.ensureBase(target, ports)              namespace + environment Service (+ headless Service when stateful)
 *   kube.ensureRevision(target, revision, replicas, { partition? })
 *                                               stateless: create the revision's ConfigMap/Secret/Deployment if
 *                                               missing, else only scale it; stateful: ConfigMap/Secret + set the
 *                                               StatefulSet's template to this revision with replicas and partition
 *                                               (partition defaults to `replicas`: no pod updated yet)
 *   kube.scaleRevision(target, revisionNumber, replicas)   stateless: scale a Deployment (NotFound if missing);
 *                                               stateful: scale the StatefulSet
 *   kube.setPartition(target, partition)        stateful: rollingUpdate.partition (lower it batch by batch)
 *   kube.deleteInstances(target, podNames)      deletes pods (missing ones are fine); their controller recreates them
 *   kube.removeRevision(target, revisionNumber) Deployment (foreground) + its ConfigMap + Secret; missing is fine
 *   kube.listRevisionsInCluster(target)         → RevisionInCluster[] found by label (after a restart)
 *   kube.observeEnvironment(target, options?)   → EnvironmentObservation { revisions, instances (with failure), statefulSet }
 *   kube.watchEnvironment(target, onChange, signal, options?)
 *                                               watches pods, workloads and events; calls onChange (debounced)
 *
 *   target: EnvironmentTarget = { cluster, namespace, appName, appType: 'STATELESS'|'STATEFUL',
 *                                 environmentKind: 'PRODUCTION'|'TEST' }
 *   revision: RevisionSpec = { number, image: 'nginx:1.25', settings: ConfigSettings, releaseOrderId? }
 *   imageReference(settings, tag) → the image string for RevisionSpec.image
 *
 * Names and labels (see render/names.ts): Deployment `<app>-<env>-r<N>`, StatefulSet `<app>-<env>`,
 * Service `<app>-<env>`, headless Service `<app>-<env>-pods`, ConfigMap `<app>-<env>-r<N>-files`,
 * Secret `<app>-<env>-r<N>-env` (env = production|test; long names are cut and hashed to stay valid).
 * Labels on every object and pod: cairn.dev/app, cairn.dev/environment (production|test),
 * cairn.dev/revision (on per-revision objects and pods), app.kubernetes.io/managed-by=cairn,
 * app.kubernetes.io/name=<app>.
 */
export type { KubeError, KubeErrorKind, KubeResult } from './kube-errors.js';
export type * from './workloads-types.js';
