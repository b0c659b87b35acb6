/**
 * A stateless app: one Deployment per revision (`<app>-<env>-r<N>`), created once with the
 * revision's template and only scaled afterwards; a batch scales the new one up and the old one down.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { inNamespace } from '../error-object.js';
import { ok, unwrap, type KubeError } from '../kube-errors.js';
import { ANNOTATION_IMAGE, environmentLabelSelector, names, renderDeployment } from '../render/index.js';
import type { EnvironmentTarget, ObservedRevision } from '../workloads-types.js';
import { isMissing, type WorkloadContext } from './context.js';
import { releaseOrderOf, revisionLabel, tally } from './observed.js';
import type { WorkloadObject, WorkloadRevision, WorkloadStrategy } from './types.js';

/** The image a Deployment runs: cairn's annotation, else its first container's image. */
export function deploymentImage(d: V1Deployment): string | undefined {
  return d.metadata?.annotations?.[ANNOTATION_IMAGE] ?? d.spec?.template?.spec?.containers?.[0]?.image;
}

async function scaleDeployment({ c, call }: WorkloadContext, target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<void> {
  const name = names.deployment(target, revisionNumber);
  const object = inNamespace('Deployment', target.namespace, name);
  unwrap(await call(() => c.hot.scaleDeployment(target.namespace, name, replicas), object));
}

export const statelessStrategy: WorkloadStrategy = {
  appType: 'STATELESS',
  informerKind: 'deployments',

  baseServices: () => [],

  async ensureWorkload(k, target, revision, replicas) {
    const { c, call } = k;
    const body = renderDeployment(target, revision, replicas);
    const name = body.metadata!.name!;
    const object = inNamespace('Deployment', target.namespace, name);
    await k.createOrElse(
      object,
      () => c.hot.createDeployment(target.namespace, body),
      async () => {
        const read = await call(() => c.apps.readNamespacedDeployment({ name, namespace: target.namespace }), object);
        // Gone between the create's AlreadyExists and this read: the next attempt creates it.
        if (!read.ok && isMissing(read.error)) throw { ...read.error, permanent: false } satisfies KubeError;
        const existing = unwrap(read);
        if (existing.metadata?.deletionTimestamp) {
          throw { kind: 'Conflict', message: `deployment ${name} is being deleted; try again once it is gone`, status: null, object, permanent: false } satisfies KubeError;
        }
        const image = deploymentImage(existing);
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
        if (existing.spec?.replicas !== replicas) await scaleDeployment(k, target, revision.number, replicas);
        return ok(undefined);
      },
    );
  },

  scale: scaleDeployment,

  async setPartition(_k, target) {
    // Only a StatefulSet has a partition; the engine never asks this of a stateless app.
    throw { kind: 'Invalid', message: `${target.appName} is stateless: its Deployments have no partition`, status: null, permanent: true } satisfies KubeError;
  },

  async removeWorkload(k, target, revisionNumber) {
    const { namespace } = target;
    const name = names.deployment(target, revisionNumber);
    await k.deleteIfPresent(inNamespace('Deployment', namespace, name), () => k.c.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Foreground' }));
  },

  async listWorkloadRevisions(k, target) {
    const { namespace } = target;
    const labelSelector = environmentLabelSelector(target);
    const deployments = unwrap(await k.call(() => k.c.apps.listNamespacedDeployment({ namespace, labelSelector }))).items;
    return deployments.flatMap(deploymentRevision);
  },

  workloadRevisions: (_target, workloads) => workloads.flatMap(deploymentRevision),

  observeWorkloads(_target, workloads, live) {
    const revisions = new Map<number, ObservedRevision>();
    for (const d of workloads) {
      const n = revisionLabel(d);
      if (n === null) continue;
      revisions.set(n, { number: n, desired: d.spec?.replicas ?? 0, workload: d.metadata?.name ?? '', ...tally(live, n) });
    }
    return { revisions, statefulSet: null };
  },
};

function deploymentRevision(d: WorkloadObject): WorkloadRevision[] {
  const n = revisionLabel(d);
  if (n === null) return [];
  return [{ number: n, workload: d.metadata!.name!, replicas: d.spec?.replicas ?? 0, releaseOrderId: releaseOrderOf(d), deleting: !!d.metadata?.deletionTimestamp }];
}
