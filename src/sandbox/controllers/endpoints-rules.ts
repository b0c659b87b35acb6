/** The Endpoints controller's decisions (pkg/controller/endpoint), as pure functions. */
import type { KubeObject } from '../store/types.js';
import { canonicalJson } from './hash.js';
import { mapSelectorMatches } from './labels.js';
import { isPodReady, isPodTerminal } from './pods.js';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
}

const svcSpec = (svc: KubeObject) => (svc.spec ?? {}) as ServiceSpec;

/** Whether the Endpoints controller manages this service (it has a non-empty selector). */
export function hasSelector(svc: KubeObject): boolean {
  return Object.keys(svcSpec(svc).selector ?? {}).length > 0;
}

export function selectsPod(svc: KubeObject, pod: KubeObject): boolean {
  return hasSelector(svc) && pod.metadata.namespace === svc.metadata.namespace && mapSelectorMatches(svcSpec(svc).selector!, pod.metadata.labels);
}

/** podutil.FindPort: the container port a service port sends to, or undefined when a named port is missing. */
export function findPort(pod: KubeObject, port: ServicePort): number | undefined {
  const target = port.targetPort;
  if (typeof target === 'string' && !/^\d+$/.test(target)) {
    const protocol = port.protocol ?? 'TCP';
    for (const c of ((pod.spec as { containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] }).containers ?? [])) {
      for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
    return undefined;
  }
  const n = typeof target === 'string' ? Number(target) : target;
  return n ? n : port.port;
}

function podIP(pod: KubeObject): string | undefined {
  const s = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[] };
  return s.podIP || s.podIPs?.[0]?.ip || undefined;
}

/** ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

function address(svc: KubeObject, pod: KubeObject): EndpointAddress {
  const spec = (pod.spec ?? {}) as { hostname?: string; subdomain?: string; nodeName?: string };
  const a: EndpointAddress = {
    ip: podIP(pod)!,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  };
  if (spec.hostname && spec.subdomain === svc.metadata.name) a.hostname = spec.hostname;
  if (spec.nodeName) a.nodeName = spec.nodeName;
  return a;
}

const ipOrder = (a: EndpointAddress, b: EndpointAddress) => {
  const pa = a.ip.split('.').map(Number);
  const pb = b.ip.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0;
};

/** The subsets of a service's Endpoints, repacked (one subset per distinct port set, addresses sorted). */
export function endpointSubsets(svc: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const spec = svcSpec(svc);
  const tolerateUnready = !!spec.publishNotReadyAddresses;
  const groups = new Map<string, { ports: EndpointPort[]; ready: Map<string, EndpointAddress>; notReady: Map<string, EndpointAddress> }>();
  const add = (ports: EndpointPort[], pod: KubeObject) => {
    const key = canonicalJson(ports);
    const g = groups.get(key) ?? groups.set(key, { ports, ready: new Map(), notReady: new Map() }).get(key)!;
    const a = address(svc, pod);
    if (tolerateUnready || isPodReady(pod)) {
      g.ready.set(a.ip, a);
      g.notReady.delete(a.ip);
    } else if (!g.ready.has(a.ip)) g.notReady.set(a.ip, a);
  };
  const headless = spec.clusterIP === 'None';
  for (const pod of pods) {
    if (!selectsPod(svc, pod) || !shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    if ((spec.ports ?? []).length === 0) {
      if (headless) add([], pod);
      continue;
    }
    const ports: EndpointPort[] = [];
    for (const sp of spec.ports ?? []) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const ep: EndpointPort = { ...(sp.name ? { name: sp.name } : {}), port: n, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    if (ports.length) {
      // Kubernetes adds one subset per port and repacks; grouping by the pod's port set gives the same result.
      ports.sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : a.port - b.port));
      add(ports, pod);
    }
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const s: EndpointSubset = {};
    if (g.ready.size) s.addresses = [...g.ready.values()].sort(ipOrder);
    if (g.notReady.size) s.notReadyAddresses = [...g.notReady.values()].sort(ipOrder);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  subsets.sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  return subsets;
}

/** The labels an Endpoints object carries: the service's, plus the headless marker. */
export function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (svcSpec(svc).clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  else delete labels['service.kubernetes.io/headless'];
  return labels;
}
