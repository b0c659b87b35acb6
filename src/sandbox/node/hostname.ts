/**
 * A pod's hostname as the kubelet sets it (GeneratePodHostNameAndDomain): spec.hostname, else the
 * pod's name cut to 63 characters without a trailing '-' or '.'.
 */
import type { Pod } from './types.js';

export function podHostname(pod: Pod): string {
  if (pod.spec.hostname) return pod.spec.hostname;
  const name = pod.metadata.name;
  return name.length > 63 ? name.slice(0, 63).replace(/[-.]+$/, '') : name;
}
