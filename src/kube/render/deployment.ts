import type { V1Deployment } from '@kubernetes/client-node';
import type { ConfigSettings } from '../../domain/config-types.js';
import { ANNOTATION_IMAGE, ANNOTATION_RELEASE_ORDER, names, revisionLabels, revisionSelector, type NameTarget } from './names.js';
import { renderPodTemplate } from './pod-template.js';

export interface RevisionInput {
  number: number;
  image: string;
  settings: ConfigSettings;
  releaseOrderId?: string | number | null;
}

/**
 * A stateless app's revision: its own Deployment, whose template never changes after creation
 * (cairn moves traffic between revisions by scaling them). The strategy is RollingUpdate with
 * maxSurge 0 / maxUnavailable 1 only as a guard: the template is never edited, so the Deployment
 * never rolls out on its own; scaling never starts a rollout. One old ReplicaSet is kept at most.
 */
export function renderDeployment(t: NameTarget & { namespace: string }, revision: RevisionInput, replicas: number): V1Deployment {
  const annotations: Record<string, string> = { [ANNOTATION_IMAGE]: revision.image };
  if (revision.releaseOrderId != null) annotations[ANNOTATION_RELEASE_ORDER] = String(revision.releaseOrderId);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.deployment(t, revision.number), namespace: t.namespace, labels: revisionLabels(t, revision.number), annotations },
    spec: {
      replicas,
      selector: { matchLabels: revisionSelector(t, revision.number) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 as never, maxUnavailable: 1 as never } },
      minReadySeconds: 0,
      revisionHistoryLimit: 1,
      progressDeadlineSeconds: 600,
      template: renderPodTemplate(t, revision.number, revision.image, revision.settings),
    },
  };
}
