/** The revisions cairn finds in a cluster by label (after a restart, or to clean up). */
import { unwrap } from './kube-errors.js';
import { ANNOTATION_RELEASE_ORDER, LABEL_REVISION, environmentLabelSelector, names } from './render/index.js';
import type { Call, Clients } from './workloads-clients.js';
import type { EnvironmentTarget, RevisionInCluster } from './workloads-types.js';

export async function listRevisionsInCluster(c: Clients, target: EnvironmentTarget, call: Call): Promise<RevisionInCluster[]> {
  const { namespace } = target;
  const labelSelector = environmentLabelSelector(target);
  const [configMaps, secrets] = [
    unwrap(await call(() => c.core.listNamespacedConfigMap({ namespace, labelSelector }))).items,
    unwrap(await call(() => c.core.listNamespacedSecret({ namespace, labelSelector }))).items,
  ];
  const revisionOf = (o: { metadata?: { labels?: Record<string, string> } }) => Number(o.metadata?.labels?.[LABEL_REVISION] ?? NaN);
  const withConfigMap = new Set(configMaps.map(revisionOf));
  const withSecret = new Set(secrets.map(revisionOf));
  const found = new Map<number, RevisionInCluster>();
  const add = (n: number, workload: string, replicas: number, releaseOrderId: string | null, deleting = false) => {
    if (!Number.isInteger(n) || found.has(n)) return;
    found.set(n, { number: n, workload, replicas, releaseOrderId, hasConfigMap: withConfigMap.has(n), hasSecret: withSecret.has(n), deleting });
  };
  if (target.appType === 'STATELESS') {
    const deployments = unwrap(await call(() => c.apps.listNamespacedDeployment({ namespace, labelSelector }))).items;
    for (const d of deployments) {
      add(revisionOf(d), d.metadata!.name!, d.spec?.replicas ?? 0, d.metadata?.annotations?.[ANNOTATION_RELEASE_ORDER] ?? null, !!d.metadata?.deletionTimestamp);
    }
  } else {
    const sets = unwrap(await call(() => c.apps.listNamespacedStatefulSet({ namespace, labelSelector }))).items;
    const set = sets.find((s) => s.metadata?.name === names.statefulSet(target));
    if (set) {
      add(revisionOf(set), set.metadata!.name!, set.spec?.replicas ?? 0, set.metadata?.annotations?.[ANNOTATION_RELEASE_ORDER] ?? null);
      // Older revisions still run on pods below the partition.
      const pods = unwrap(await call(() => c.core.listNamespacedPod({ namespace, labelSelector }))).items;
      const counts = new Map<number, number>();
      for (const p of pods) if (!p.metadata?.deletionTimestamp) counts.set(revisionOf(p), (counts.get(revisionOf(p)) ?? 0) + 1);
      for (const [n, count] of counts) add(n, set.metadata!.name!, count, null);
    }
  }
  for (const n of [...withConfigMap, ...withSecret]) add(n, '', 0, null);
  return [...found.values()].sort((a, b) => a.number - b.number);
}
