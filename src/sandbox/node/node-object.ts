/** The Node objects a simulated kubelet registers, and their status. Pure. */
import { createHash } from 'node:crypto';
import { toKi } from './quantity.js';
import { KUBERNETES_VERSION } from '../apiserver/discovery.js';

export interface NodeInput {
  name?: string;
  cpu?: string | number;
  memory?: string;
  pods?: number;
}

export interface NodeConfig {
  name: string;
  index: number;
  cpu: string;
  memory: string;
  pods: number;
  /** The node's InternalIP (and its pods' hostIP). */
  hostIP: string;
  /** The kubelet's port (daemonEndpoints), where the API server sends logs and exec. */
  kubeletPort: number;
  /** Pod IPs come from 10.1.<index>.0/24. */
  podCIDR: string;
}

/** The API server's version: a kubelet is never newer than its API server (version skew policy). */
export const kubeletVersion = KUBERNETES_VERSION.gitVersion;
export const defaultNode = { cpu: '4', memory: '8Gi', pods: 110 };

/** `nodes` as a count (default 3) or a list; names default to `<cluster>-node-<n>`. */
export function nodeConfigs(clusterName: string, nodes: number | NodeInput[] | undefined): NodeConfig[] {
  const list: NodeInput[] = typeof nodes === 'number' || nodes === undefined ? Array.from({ length: nodes ?? 3 }, () => ({})) : nodes;
  return list.map((n, i) => ({
    name: n.name ?? `${clusterName}-node-${i + 1}`,
    index: i,
    cpu: String(n.cpu ?? defaultNode.cpu),
    memory: n.memory ?? defaultNode.memory,
    pods: n.pods ?? defaultNode.pods,
    hostIP: `10.0.0.${10 + i}`,
    kubeletPort: 10250,
    podCIDR: `10.1.${i}.0/24`,
  }));
}

const uuidFrom = (s: string) => {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export function nodeConditions(now: string, transition: string) {
  const c = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: transition,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeStatus(cfg: NodeConfig, now: string, transition: string, images: string[] = []) {
  const resources = { cpu: cfg.cpu, memory: toKi(cfg.memory), pods: String(cfg.pods), 'ephemeral-storage': '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: nodeConditions(now, transition),
    addresses: [
      { type: 'InternalIP', address: cfg.hostIP },
      { type: 'Hostname', address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: createHash('md5').update(`machine:${cfg.name}`).digest('hex'),
      systemUUID: uuidFrom(`system:${cfg.name}`),
      bootID: uuidFrom(`boot:${cfg.name}:${transition}`),
      kernelVersion: '6.8.0-sandbox',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://2.0.5',
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: images.map((name) => ({ names: [name], sizeBytes: 50_000_000 })),
  };
}

export function nodeObject(cfg: NodeConfig, now: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': cfg.name,
        'kubernetes.io/os': 'linux',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: cfg.podCIDR, podCIDRs: [cfg.podCIDR] },
    status: nodeStatus(cfg, now, now),
  };
}

/** The coordination.k8s.io Lease that keeps the node alive (kube-node-lease/<node>). */
export function leaseObject(cfg: NodeConfig, nodeUid: string | undefined, renewTime: string) {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: cfg.name,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: cfg.name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: cfg.name, leaseDurationSeconds: 40, renewTime },
  };
}

/** MicroTime: RFC 3339 with microseconds. */
export const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** IPs of a node's pod CIDR, .2 to .254, handed out in order and reused after release. */
export class IpPool {
  private readonly used = new Set<string>();
  private next = 2;
  constructor(private readonly cidr: string) {}
  allocate(preferred?: string): string {
    const prefix = this.cidr.split('.').slice(0, 3).join('.');
    // A pod that already has an IP (the agent restarted) keeps it.
    if (preferred?.startsWith(`${prefix}.`) && !this.used.has(preferred)) {
      this.used.add(preferred);
      return preferred;
    }
    for (let tries = 0; tries < 253; tries++) {
      const ip = `${prefix}.${this.next}`;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod IP in ${this.cidr}`);
  }
  release(ip: string): void {
    this.used.delete(ip);
  }
}
