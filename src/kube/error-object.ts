import { fail, type KubeObjectRef, type KubeResult } from './kube-errors.js';

/** Names the object a failed call was about (unless the error already names one), so that a refusal can say what was refused. */
export const about =
  (object: KubeObjectRef) =>
  <T>(r: KubeResult<T>): KubeResult<T> =>
    r.ok || r.error.object ? r : fail({ ...r.error, object });

export const inNamespace = (kind: string, namespace: string, name: string): KubeObjectRef => ({ kind, namespace, name });
