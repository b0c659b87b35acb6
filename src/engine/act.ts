import type { ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { KubeResult } from '../kube/kube-errors.js';
import type { EnvironmentTarget, KubePort } from './kube-port.js';
import type { KubeAction } from './rollout.js';

/** A step in words, for logs, transitions and failure messages: `scale revision 2 to 4`. */
export function describeAction(action: KubeAction): string {
  switch (action.op) {
    case 'ensureBase':
      return 'set up the namespace and Services';
    case 'ensureRevision':
      return `set up revision ${action.revision} (${action.replicas} instance(s)${action.partition === undefined ? '' : `, partition ${action.partition}`})`;
    case 'scaleRevision':
      return `scale revision ${action.revision} to ${action.replicas}`;
    case 'setPartition':
      return `set the partition to ${action.partition}`;
    case 'deleteInstances':
      return `delete instance(s) ${action.names.join(', ')}`;
    case 'removeRevision':
      return `remove revision ${action.revision}`;
  }
}

/** Carries out one Kubernetes action; the cluster's answer as data. */
export function act(kube: KubePort, target: EnvironmentTarget, action: KubeAction, revisions: Map<number, RevisionRow>, order: ReleaseOrderRow): Promise<KubeResult<unknown>> {
  const spec = (n: number) => {
    const r = revisions.get(n);
    if (!r) throw new Error(`revision ${n} of order ${order.id} is missing`);
    return { number: r.number, image: r.image, settings: r.settings, releaseOrderId: order.id };
  };
  switch (action.op) {
    case 'ensureBase':
      return kube.ensureBase(target, spec(action.revision).settings.ports);
    case 'ensureRevision':
      return kube.ensureRevision(target, spec(action.revision), action.replicas, action.partition === undefined ? {} : { partition: action.partition });
    case 'scaleRevision':
      return kube.scaleRevision(target, action.revision, action.replicas);
    case 'setPartition':
      return kube.setPartition(target, action.partition);
    case 'deleteInstances':
      return kube.deleteInstances(target, action.names);
    case 'removeRevision':
      return kube.removeRevision(target, action.revision);
  }
}
