/**
 * A stateful app's StatefulSet: created with this revision's template, or moved to it (read,
 * change, replace: a stale resourceVersion's Conflict reads again). Partition: as given; else 0
 * for a new StatefulSet, `replicas` when the template changes (no pod moves until the engine
 * lowers it), and left as it is when the template already is this revision (so that repeating
 * the call after a crash undoes nothing).
 */
import type { V1StatefulSet } from '@kubernetes/client-node';
import { about, inNamespace } from './error-object.js';
import { unwrap } from './kube-errors.js';
import { ANNOTATION_IMAGE, ANNOTATION_RELEASE_ORDER, LABEL_REVISION, names, renderStatefulSet } from './render/index.js';
import type { Call, Clients } from './workloads-clients.js';
import type { EnvironmentTarget, RevisionSpec } from './workloads-types.js';

export async function ensureStatefulSet(
  c: Clients,
  target: EnvironmentTarget,
  revision: RevisionSpec,
  replicas: number,
  partition: number | undefined,
  call: Call,
  create: Call,
): Promise<void> {
  const { namespace } = target;
  const name = names.statefulSet(target);
  // A new StatefulSet has nothing to roll: every pod starts on this revision.
  const desired = renderStatefulSet(target, revision, replicas, partition ?? 0);
  const object = inNamespace('StatefulSet', namespace, name);
  const created = about(object)(await create(() => c.apps.createNamespacedStatefulSet({ namespace, body: desired })));
  if (created.ok) return;
  if (created.error.kind !== 'Conflict') throw created.error;
  // Exists: read, change, replace (a Conflict on a stale resourceVersion reads again).
  unwrap(
    about(object)(await call(async () => {
      const current: V1StatefulSet = await c.apps.readNamespacedStatefulSet({ name, namespace });
      const sameRevision =
        current.metadata?.labels?.[LABEL_REVISION] === String(revision.number) &&
        (current.metadata?.annotations?.[ANNOTATION_IMAGE] ?? revision.image) === revision.image;
      const currentPartition = current.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const nextPartition = partition ?? (sameRevision ? currentPartition : replicas);
      const spec = current.spec!;
      const unchanged =
        sameRevision && spec.replicas === replicas && currentPartition === nextPartition && spec.updateStrategy?.type === 'RollingUpdate';
      if (unchanged) return current;
      const body: V1StatefulSet = {
        ...current,
        metadata: {
          ...current.metadata,
          labels: { ...current.metadata?.labels, ...desired.metadata!.labels },
          annotations: sameRevision ? current.metadata?.annotations : { ...current.metadata?.annotations, ...desired.metadata!.annotations },
        },
        spec: {
          ...spec,
          replicas,
          template: sameRevision ? spec.template : desired.spec!.template,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { ...spec.updateStrategy?.rollingUpdate, partition: nextPartition } },
        },
      };
      if (!sameRevision && revision.releaseOrderId == null) delete body.metadata!.annotations?.[ANNOTATION_RELEASE_ORDER];
      return c.apps.replaceNamespacedStatefulSet({ name, namespace, body });
    })),
  );
}
