/** The revisions cairn finds in a cluster by label (after a restart, or to clean up). */
import { unwrap } from './kube-errors.js';
import { environmentLabelSelector } from './render/index.js';
import { revisionLabel, type WorkloadContext, type WorkloadStrategy } from './strategy/index.js';
import type { EnvironmentTarget, RevisionInCluster } from './workloads-types.js';

/**
 * The environment's revisions, by number: those its workloads hold (as `strategy` reads them), then
 * those only a ConfigMap or Secret is left of; each says whether its ConfigMap and Secret exist.
 */
export async function listRevisionsInCluster(k: WorkloadContext, target: EnvironmentTarget, strategy: WorkloadStrategy): Promise<RevisionInCluster[]> {
  const { namespace } = target;
  const labelSelector = environmentLabelSelector(target);
  const [configMaps, secrets] = [
    unwrap(await k.call(() => k.c.core.listNamespacedConfigMap({ namespace, labelSelector }))).items,
    unwrap(await k.call(() => k.c.core.listNamespacedSecret({ namespace, labelSelector }))).items,
  ];
  const withConfigMap = new Set(configMaps.map(revisionLabel));
  const withSecret = new Set(secrets.map(revisionLabel));
  const found = new Map<number, RevisionInCluster>();
  const add = (n: number | null, workload: string, replicas: number, releaseOrderId: string | null, deleting = false) => {
    if (n === null || found.has(n)) return;
    found.set(n, { number: n, workload, replicas, releaseOrderId, hasConfigMap: withConfigMap.has(n), hasSecret: withSecret.has(n), deleting });
  };
  for (const r of await strategy.listWorkloadRevisions(k, target)) add(r.number, r.workload, r.replicas, r.releaseOrderId, r.deleting);
  for (const n of [...withConfigMap, ...withSecret]) add(n, '', 0, null);
  return [...found.values()].sort((a, b) => a.number - b.number);
}
