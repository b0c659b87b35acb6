import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { PortMapping } from '../../domain/config-types.js';
import { environmentLabels, environmentSelector, names, servicePortNames, type NameTarget } from './names.js';

/**
 * Service ports for the mapped container ports: named as configured (validated as IANA service
 * names at config time) or, for an unnamed port, `<protocol>-<port>` chosen so that it cannot take a
 * name given to another port (names.ts `servicePortNames`); port = targetPort = the container port.
 */
export function servicePorts(ports: PortMapping[]): V1ServicePort[] {
  const portNames = servicePortNames(ports);
  return ports.map((p, i) => ({ name: portNames[i]!, port: p.containerPort, targetPort: p.containerPort as unknown as V1ServicePort['targetPort'], protocol: p.protocol }));
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
