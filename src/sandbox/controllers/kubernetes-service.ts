/**
 * What kube-apiserver's bootstrap controller keeps in place: the `default/kubernetes` Service
 * (the first address of the service range, port 443 named https) and its Endpoints, the API
 * server's advertised address on its secure port. The sandbox's API server listens on loopback,
 * which Endpoints may not hold; the advertised address stands for it, as on a real cluster where
 * pods, not the host, reach it.
 */
import { resourceKey, type StoreEvent } from '../store/types.js';
import type { Controller, ControllerContext } from './context.js';

const SERVICES = resourceKey('', 'services');
const ENDPOINTS = resourceKey('', 'endpoints');
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const ADVERTISED_ADDRESS = '172.18.0.2';
export const SECURE_PORT = 6443;
const KEY = 'default/kubernetes';

export function createKubernetesServiceController(ctx: ControllerContext): Controller {
  const { store } = ctx;

  function keysFor(event: StoreEvent): string[] {
    if ((event.key === SERVICES || event.key === ENDPOINTS) && event.object.metadata.namespace === 'default' && event.object.metadata.name === 'kubernetes') return [KEY];
    return [];
  }

  function sync(): number | undefined {
    try {
      if (!store.get(SERVICES, 'default', 'kubernetes')) {
        store.create(SERVICES, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
          spec: { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, sessionAffinity: 'None', ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: SECURE_PORT }] },
        });
      }
      if (!store.get(ENDPOINTS, 'default', 'kubernetes')) {
        store.create(ENDPOINTS, {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'kubernetes', namespace: 'default' },
          subsets: [{ addresses: [{ ip: ADVERTISED_ADDRESS }], ports: [{ name: 'https', port: SECURE_PORT, protocol: 'TCP' }] }],
        });
      }
    } catch (err) {
      if ((err as { reason?: string }).reason === 'AlreadyExists') return 1_000;
      throw err;
    }
    return undefined;
  }

  return { name: 'bootstrap-controller', keysFor, sync, allKeys: () => [KEY] };
}
