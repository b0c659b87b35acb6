/**
 * The kubelet's admission of a pod handed to its node (pkg/kubelet/lifecycle/predicate.go, the
 * NodePorts part of the general predicates): a pod asking for a host port that an active pod of
 * the node already holds (same protocol and port, overlapping host IP) is rejected — it fails with
 * the predicate's name as reason and never runs. Pure.
 */
import type { EventMessage } from './messages.js';
import type { Pod } from './types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const ANY = '0.0.0.0';

/** The host ports a pod's containers (and init containers) ask for. */
export function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) out.push({ ip: p.hostIP || ANY, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** HostPortInfo.CheckConflict: same protocol and port, and either side on 0.0.0.0 or the same IP. */
export function conflicts(want: HostPort[], used: HostPort[]): boolean {
  return want.some((w) => used.some((u) => u.protocol === w.protocol && u.port === w.port && (u.ip === w.ip || u.ip === ANY || w.ip === ANY)));
}

export interface Rejection {
  reason: string;
  message: string;
}

export const NODE_PORTS_REJECTION: Rejection = {
  reason: 'NodePorts',
  message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
};

/** canAdmitPod: undefined when the pod may run beside the node's active pods, else why not. */
export function admit(pod: Pod, active: Pod[]): Rejection | undefined {
  const want = hostPorts(pod);
  if (want.length === 0) return undefined;
  return conflicts(want, active.flatMap(hostPorts)) ? NODE_PORTS_REJECTION : undefined;
}

/** rejectPod: the Warning event and the status the kubelet writes for a rejected pod. */
export function rejectionEvent(r: Rejection): EventMessage {
  return { type: 'Warning', reason: r.reason, message: r.message };
}

export function rejectionStatus(r: Rejection, now: string, startTime?: string) {
  return { phase: 'Failed', reason: r.reason, message: `Pod was rejected: ${r.message}`, startTime: startTime ?? now };
}
