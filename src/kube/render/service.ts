import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { PortMapping } from '../../domain/config-types.js';
import { environmentLabels, environmentSelector, names, type NameTarget } from './names.js';

/**
 * A port name as Kubernetes takes it (IANA service name: lower-case letters, digits and single
 * `-`, at most 15, at least one letter), from the mapping's name; null when nothing valid is left.
 */
export function portName(name: string | null): string | null {
  const cleaned = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 15)
    .replace(/^-+|-+$/g, '');
  return cleaned && /[a-z]/.test(cleaned) ? cleaned : null;
}

/**
 * Service ports for the mapped container ports: named after the mapping (lower-case, invalid
 * characters as `-`) or `<protocol>-<port>`, made unique; port = targetPort = the container port.
 */
export function servicePorts(ports: PortMapping[]): V1ServicePort[] {
  const used = new Set<string>();
  return ports.map((p) => {
    let name = portName(p.name) ?? `${p.protocol.toLowerCase()}-${p.containerPort}`;
    if (used.has(name)) name = `${p.protocol.toLowerCase()}-${p.containerPort}`;
    used.add(name);
    return { name, port: p.containerPort, targetPort: p.containerPort as unknown as V1ServicePort['targetPort'], protocol: p.protocol };
  });
}

/**
 * The environment's Service: selects the environment's pods across revisions (so traffic follows
 * the batches). Null when the config maps no port (a ClusterIP Service needs one).
 */
export function renderService(t: NameTarget & { namespace: string }, ports: PortMapping[]): V1Service | null {
  if (ports.length === 0) return null;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.service(t), namespace: t.namespace, labels: environmentLabels(t) },
    spec: { type: 'ClusterIP', selector: environmentSelector(t), ports: servicePorts(ports) },
  };
}

/**
 * The StatefulSet's headless Service (stable per-pod DNS names `<pod>.<service>`); it publishes
 * pods before they are Ready so that peers of a stateful app can find each other while starting.
 */
export function renderHeadlessService(t: NameTarget & { namespace: string }, ports: PortMapping[]): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.headlessService(t), namespace: t.namespace, labels: environmentLabels(t) },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: environmentSelector(t), ports: servicePorts(ports) },
  };
}
