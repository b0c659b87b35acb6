/** The Endpoints controller: an Endpoints object per selecting Service, listing its pods' addresses. */
import { resourceKey, StoreError, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, keysOfList, type Controller, type ControllerContext } from './context.js';
import { canonicalJson } from './hash.js';
import { endpointSubsets, endpointsLabels, hasSelector, selectsPod } from './endpoints-rules.js';
import { isPodReady } from './pods.js';
import { splitKey } from './queue.js';

const SERVICES = resourceKey('', 'services');
const ENDPOINTS = resourceKey('', 'endpoints');
const PODS = resourceKey('', 'pods');
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

const sameJson = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/**
 * Whether a pod's change can change an Endpoints object (endpointsliceutil.podEndpointsChanged, which
 * GetServicesToUpdateOnPodChange asks before any Service is queued): labels, hostname and subdomain,
 * deletion, readiness, IPs — and, as this controller also drops terminal pods, the phase and node.
 */
export function podEndpointsChanged(old: KubeObject, pod: KubeObject): boolean {
  const spec = (p: KubeObject) => (p.spec ?? {}) as { hostname?: string; subdomain?: string; nodeName?: string };
  const status = (p: KubeObject) => (p.status ?? {}) as { podIP?: string; podIPs?: unknown; phase?: string };
  return (
    !sameJson(old.metadata.labels, pod.metadata.labels) ||
    spec(old).hostname !== spec(pod).hostname ||
    spec(old).subdomain !== spec(pod).subdomain ||
    spec(old).nodeName !== spec(pod).nodeName ||
    old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    isPodReady(old) !== isPodReady(pod) ||
    status(old).podIP !== status(pod).podIP ||
    !sameJson(status(old).podIPs, status(pod).podIPs) ||
    status(old).phase !== status(pod).phase
  );
}

export function createEndpointsController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  /** Services seen with a selector, so that a deleted one's Endpoints go too. */
  const managed = new Set<string>();

  function keysFor(event: StoreEvent): string[] {
    if (event.key === SERVICES) return [keyOf(event.object)];
    if (event.key === ENDPOINTS && event.type === 'DELETED') return managed.has(keyOf(event.object)) ? [keyOf(event.object)] : [];
    if (event.key !== PODS) return [];
    if (event.type === 'MODIFIED' && event.old && !podEndpointsChanged(event.old, event.object)) return [];
    const keys = new Set<string>();
    const services = store.list(SERVICES, { namespace: event.object.metadata.namespace, readOnly: true }).items;
    for (const svc of services) {
      if (selectsPod(svc, event.object) || (event.old && selectsPod(svc, event.old))) keys.add(keyOf(svc));
    }
    return [...keys];
  }

  function sync(key: string): undefined {
    const { namespace, name } = splitKey(key);
    const svc = store.get(SERVICES, namespace, name);
    if (!svc || !hasSelector(svc)) {
      if (managed.has(key)) {
        managed.delete(key);
        try {
          store.delete(ENDPOINTS, namespace, name);
        } catch (err) {
          if (!(err instanceof StoreError) || err.reason !== 'NotFound') throw err;
        }
      }
      return undefined;
    }
    managed.add(key);
    const subsets = endpointSubsets(svc, store.list(PODS, { namespace, readOnly: true }).items);
    const labels = endpointsLabels(svc);
    const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const current = store.get(ENDPOINTS, namespace, name);
    const body = (ep: KubeObject) => {
      if (subsets.length) ep.subsets = subsets;
      else delete ep.subsets;
      ep.metadata.labels = labels;
      ep.metadata.annotations = { ...(ep.metadata.annotations ?? {}), [TRIGGER]: now };
      return ep;
    };
    if (!current) {
      store.create(ENDPOINTS, body({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } }));
      return undefined;
    }
    const same = canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata.labels ?? {}) === canonicalJson(labels);
    if (same) return undefined;
    store.modify(ENDPOINTS, namespace, name, (cur) => body(cur));
    return undefined;
  }

  return { name: 'endpoint-controller', keysFor, sync, allKeys: () => keysOfList(store, SERVICES) };
}
