/**
 * The API server's own checks before it forwards pods/log and pods/exec to a kubelet
 * (registry/core/pod/strategy.go LogLocation / ExecLocation): which container, which node.
 */
import type { KubeObject } from '../store/types.js';
import type { KubeletApi } from '../kubelet-api.js';
import { ApiError, badRequest } from './errors.js';
import type { ApiContext } from './context.js';

interface Named {
  name: string;
}

const names = (list: unknown) => ((list as Named[] | undefined) ?? []).map((c) => c.name);

/** The container a request is for: the one asked for, the default-container annotation, or the only one. */
export function resolveContainer(pod: KubeObject, requested: string | undefined): string {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  const podName = pod.metadata.name!;
  if (requested) {
    if (containers.includes(requested) || init.includes(requested) || ephemeral.includes(requested)) return requested;
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  }
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0]!;
  let message = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
  if (init.length) message += ` or one of the init containers: [${init.join(' ')}]`;
  if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
  throw badRequest(message);
}

/** The kubelet running the pod; a 500 like a real API server that cannot reach it when none is registered. */
export function kubeletFor(ctx: ApiContext, nodeName: string, path: string): KubeletApi {
  const kubelet = ctx.kubelets.get(nodeName);
  if (!kubelet) {
    throw new ApiError(500, 'InternalError', `Get "https://${nodeName}:10250${path}": dial tcp: lookup ${nodeName}: no such host`);
  }
  return kubelet;
}
