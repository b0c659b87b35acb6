/**
 * Finds an instance (a pod) for logs, exec and terminals, and checks that it belongs to the
 * environment the caller named: a pod name alone could name any pod of the namespace (another
 * environment's, or one cairn does not manage), so its cairn.dev/app and cairn.dev/environment
 * labels must match.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { NotFoundError } from '../domain/errors.js';
import { toKubeError } from '../kube/kube-errors.js';
import { boundedClient } from '../kube/bounded-kubeconfig.js';
import { environmentLabel, LABEL_APP, LABEL_ENVIRONMENT, names } from '../kube/render/names.js';
import type { EnvironmentKind } from '../kube/workloads-types.js';
import { ClusterUnreachableError, InstanceNotRunningError, UnknownContainerError } from './exec-errors.js';

/** Where an instance is, as the caller named it. */
export interface InstanceAddress {
  cluster: string;
  namespace: string;
  appName: string;
  environmentKind: EnvironmentKind;
  /** The pod's name. */
  pod: string;
  /** The ID the caller used, for a NotFoundError. */
  id: string;
  /** Where that ID is in the input, for a NotFoundError. */
  path: string[];
}

export interface ResolvedInstance {
  namespace: string;
  pod: string;
  container: string;
  /** running | waiting | terminated | unknown (no status yet). */
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Why the container waits or terminated (CrashLoopBackOff, Completed …). */
  reason: string | null;
}

/** True when the pod carries the labels of the environment (and so was made by cairn for it). */
export function belongsTo(pod: V1Pod, address: Pick<InstanceAddress, 'appName' | 'environmentKind'>): boolean {
  const labels = pod.metadata?.labels ?? {};
  return labels[LABEL_APP] === address.appName && labels[LABEL_ENVIRONMENT] === environmentLabel(address.environmentKind);
}

/**
 * Reads the pod and picks the container (the app's by default). Throws NotFoundError for a pod that
 * does not exist or belongs elsewhere, UnknownContainerError, or ClusterUnreachableError.
 */
export async function resolveInstance(kc: KubeConfig, address: InstanceAddress, container?: string | null): Promise<ResolvedInstance> {
  let pod: V1Pod;
  try {
    pod = await boundedClient(kc, CoreV1Api).readNamespacedPod({ name: address.pod, namespace: address.namespace });
  } catch (error) {
    const e = toKubeError(error);
    if (e.kind === 'NotFound') throw new NotFoundError('Instance', address.id, address.path);
    throw new ClusterUnreachableError(address.cluster, e.message);
  }
  if (!belongsTo(pod, address)) throw new NotFoundError('Instance', address.id, address.path);
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const wanted = container ?? (containers.includes(names.container(address)) ? names.container(address) : containers[0]);
  if (!wanted || !containers.includes(wanted)) throw new UnknownContainerError(wanted ?? '', containers);
  const status = pod.status?.containerStatuses?.find((s) => s.name === wanted);
  const state = status?.state?.running ? 'running' : status?.state?.terminated ? 'terminated' : status?.state?.waiting ? 'waiting' : 'unknown';
  const reason = status?.state?.waiting?.reason ?? status?.state?.terminated?.reason ?? null;
  return { namespace: address.namespace, pod: address.pod, container: wanted, state, reason };
}

/** As resolveInstance, and the container must be running (for exec and terminals). */
export async function runningInstance(kc: KubeConfig, address: InstanceAddress, container?: string | null): Promise<ResolvedInstance> {
  const instance = await resolveInstance(kc, address, container);
  if (instance.state !== 'running') throw new InstanceNotRunningError(instance.container, instance.state.toUpperCase(), instance.reason);
  return instance;
}
