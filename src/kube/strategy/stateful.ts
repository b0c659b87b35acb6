/**
 * A stateful app: one StatefulSet (`<app>-<env>`) whose template is the newest revision, with a
 * headless Service for its pods' DNS names; a batch lowers `rollingUpdate.partition`, and older
 * revisions live on in the pods below it.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { inNamespace } from '../error-object.js';
import { unwrap, type KubeError } from '../kube-errors.js';
import { LABEL_REVISION, environmentLabelSelector, names, renderHeadlessService } from '../render/index.js';
import { mergePatch } from '../workloads-clients.js';
import { ensureStatefulSet } from '../workloads-stateful.js';
import type { EnvironmentTarget, ObservedRevision, ObservedStatefulSet } from '../workloads-types.js';
import { releaseOrderOf, revisionLabel, tally } from './observed.js';
import type { WorkloadObject, WorkloadRevision, WorkloadStrategy } from './types.js';

/** The ordinal of a StatefulSet pod `<set>-<n>`. */
const ordinalOf = (podName: string) => Number(podName.slice(podName.lastIndexOf('-') + 1));

/** The environment's StatefulSet among `workloads`, found by its name. */
const theSet = (target: EnvironmentTarget, workloads: readonly WorkloadObject[]) => workloads.find((s) => s.metadata?.name === names.statefulSet(target));

function setRevisions(target: EnvironmentTarget, workloads: readonly WorkloadObject[], pods: readonly V1Pod[]): WorkloadRevision[] {
  const set = theSet(target, workloads);
  if (!set) return [];
  const workload = set.metadata!.name!;
  const found: WorkloadRevision[] = [];
  const template = revisionLabel(set);
  if (template !== null) found.push({ number: template, workload, replicas: set.spec?.replicas ?? 0, releaseOrderId: releaseOrderOf(set), deleting: false });
  // Older revisions still run on pods below the partition.
  const counts = new Map<number | null, number>();
  for (const p of pods) if (!p.metadata?.deletionTimestamp) counts.set(revisionLabel(p), (counts.get(revisionLabel(p)) ?? 0) + 1);
  for (const [n, count] of counts) if (n !== null) found.push({ number: n, workload, replicas: count, releaseOrderId: null, deleting: false });
  return found;
}

export const statefulStrategy: WorkloadStrategy = {
  appType: 'STATEFUL',
  informerKind: 'statefulsets',

  // The headless Service stays without ports: the StatefulSet's pods take their DNS names from it.
  baseServices: (target, ports) => [renderHeadlessService(target, ports)],

  ensureWorkload: (k, target, revision, replicas, options) => ensureStatefulSet(k.c, target, revision, replicas, options.partition, k.call, k.create),

  async scale({ c, call }, target, _revisionNumber, replicas) {
    const name = names.statefulSet(target);
    const object = inNamespace('StatefulSet', target.namespace, name);
    unwrap(await call(() => c.apps.patchNamespacedStatefulSet({ name, namespace: target.namespace, body: { spec: { replicas } } }, mergePatch), object));
  },

  async setPartition({ c, call }, target, partition) {
    const name = names.statefulSet(target);
    const body = { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: Math.max(0, partition) } } } };
    unwrap(await call(() => c.apps.patchNamespacedStatefulSet({ name, namespace: target.namespace, body }, mergePatch), inNamespace('StatefulSet', target.namespace, name)));
  },

  async removeWorkload({ c, call }, target, revisionNumber) {
    const { namespace } = target;
    const name = names.statefulSet(target);
    // The pods keep running the StatefulSet's template: only an older revision's objects can go.
    const set = await call(() => c.apps.readNamespacedStatefulSet({ name, namespace }));
    if (set.ok && set.value.metadata?.labels?.[LABEL_REVISION] === String(revisionNumber)) {
      throw { kind: 'Invalid', message: `revision ${revisionNumber} is the StatefulSet's current template`, status: null, object: inNamespace('StatefulSet', namespace, name) } satisfies KubeError;
    }
  },

  async listWorkloadRevisions({ c, call }, target) {
    const { namespace } = target;
    const labelSelector = environmentLabelSelector(target);
    const sets = unwrap(await call(() => c.apps.listNamespacedStatefulSet({ namespace, labelSelector }))).items;
    if (!theSet(target, sets)) return [];
    const pods = unwrap(await call(() => c.core.listNamespacedPod({ namespace, labelSelector }))).items;
    return setRevisions(target, sets, pods);
  },

  workloadRevisions: setRevisions,

  observeWorkloads(target, workloads, live) {
    const revisions = new Map<number, ObservedRevision>();
    const set = theSet(target, workloads);
    if (!set) return { revisions, statefulSet: null };
    const replicas = set.spec?.replicas ?? 0;
    const partition = (set as { spec?: { updateStrategy?: { rollingUpdate?: { partition?: number } } } }).spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const revision = revisionLabel(set);
    const statefulSet: ObservedStatefulSet = {
      name: names.statefulSet(target),
      revision,
      replicas,
      partition,
      observed: (set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0),
    };
    // Ordinals at or above the partition belong to the template's revision; those below keep the
    // revision their pod runs (a missing pod is counted for the template's revision).
    const byOrdinal = new Map(live.map((i) => [ordinalOf(i.name), i.revision]));
    const desiredOf = new Map<number, number>();
    for (let ord = 0; ord < replicas; ord++) {
      const n = ord >= partition ? revision : (byOrdinal.get(ord) ?? revision);
      if (n !== null) desiredOf.set(n, (desiredOf.get(n) ?? 0) + 1);
    }
    if (revision !== null && !desiredOf.has(revision)) desiredOf.set(revision, 0);
    for (const [n, desired] of desiredOf) revisions.set(n, { number: n, desired, workload: statefulSet.name, ...tally(live, n) });
    return { revisions, statefulSet };
  },
};
