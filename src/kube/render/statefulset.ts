import type { V1StatefulSet } from '@kubernetes/client-node';
import { ANNOTATION_IMAGE, ANNOTATION_RELEASE_ORDER, environmentSelector, names, revisionLabels, type NameTarget } from './names.js';
import type { RevisionInput } from './deployment.js';
import { renderPodTemplate } from './pod-template.js';

/**
 * A stateful app's StatefulSet: its template is the revision being released; pods at ordinals ≥
 * `partition` move to it (cairn lowers the partition batch by batch). podManagementPolicy is
 * Parallel: the rolling update itself stays one pod at a time from the highest ordinal (that is
 * Kubernetes' rule for both policies), cairn orders the batches through the partition, and
 * Parallel avoids OrderedReady's trap where a broken pod blocks every later change — including
 * the rollback that would fix it — until someone deletes it by hand.
 */
export function renderStatefulSet(t: NameTarget & { namespace: string }, revision: RevisionInput, replicas: number, partition: number): V1StatefulSet {
  const annotations: Record<string, string> = { [ANNOTATION_IMAGE]: revision.image };
  if (revision.releaseOrderId != null) annotations[ANNOTATION_RELEASE_ORDER] = String(revision.releaseOrderId);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: names.statefulSet(t), namespace: t.namespace, labels: revisionLabels(t, revision.number), annotations },
    spec: {
      replicas,
      serviceName: names.headlessService(t),
      selector: { matchLabels: environmentSelector(t) },
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: Math.max(0, Math.min(partition, replicas)) } },
      revisionHistoryLimit: 10,
      template: renderPodTemplate(t, revision.number, revision.image, revision.settings),
    },
  };
}
