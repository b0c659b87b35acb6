/**
 * The resource types a sandbox cluster serves, with the names, kinds and short names a real API server
 * reports in discovery.
 */
import { RBAC_TYPES } from './rbac.js';
import { resourceKey, type ResourceKey, type ResourceType } from './types.js';

const core = (
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  subresources: string[] = [],
): ResourceType => ({ group: '', version: 'v1', resource, kind, listKind: `${kind}List`, namespaced, shortNames, subresources });

const apps = (resource: string, kind: string, shortNames: string[], subresources: string[] = []): ResourceType => ({
  group: 'apps',
  version: 'v1',
  resource,
  kind,
  listKind: `${kind}List`,
  namespaced: true,
  shortNames,
  subresources,
});

export const RESOURCE_TYPES: readonly ResourceType[] = Object.freeze([
  core('namespaces', 'Namespace', false, ['ns'], ['status']),
  core('nodes', 'Node', false, ['no'], ['status']),
  core('pods', 'Pod', true, ['po'], ['status', 'log', 'exec', 'binding', 'eviction']),
  core('services', 'Service', true, ['svc'], ['status']),
  core('endpoints', 'Endpoints', true, ['ep']),
  core('configmaps', 'ConfigMap', true, ['cm']),
  core('secrets', 'Secret', true, []),
  core('events', 'Event', true, ['ev']),
  core('replicationcontrollers', 'ReplicationController', true, ['rc'], ['status', 'scale']),
  core('serviceaccounts', 'ServiceAccount', true, ['sa']),
  // Stored only (no binder, no provisioner): the e2e StatefulSet specs list and delete them when they clean up.
  core('persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
  core('persistentvolumes', 'PersistentVolume', false, ['pv'], ['status']),
  apps('deployments', 'Deployment', ['deploy'], ['status', 'scale']),
  apps('replicasets', 'ReplicaSet', ['rs'], ['status', 'scale']),
  apps('statefulsets', 'StatefulSet', ['sts'], ['status', 'scale']),
  apps('controllerrevisions', 'ControllerRevision', []),
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    listKind: 'LeaseList',
    namespaced: true,
    shortNames: [],
    subresources: [],
  },
  ...RBAC_TYPES,
]);

const byKey = new Map<ResourceKey, ResourceType>(RESOURCE_TYPES.map((t) => [resourceKey(t.group, t.resource), t]));

/** The type served under `key` (`apps/deployments`, `/pods`), or undefined. */
export function findType(key: ResourceKey): ResourceType | undefined {
  return byKey.get(key);
}

/** The type of an object with this apiVersion and kind (`apps/v1` + `Deployment`), or undefined. */
export function typeForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/** Finds a type by plural, singular, kind or short name, optionally qualified (`deployments.apps`), as kubectl does. */
export function typeByName(name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  const [base, ...rest] = lower.split('.');
  const group = rest.join('.');
  return RESOURCE_TYPES.find(
    (t) =>
      (group === '' || t.group === group) &&
      (t.resource === base || t.kind.toLowerCase() === base || (t.shortNames ?? []).includes(base ?? '')),
  );
}

export const apiVersionOf = (t: ResourceType): string => (t.group ? `${t.group}/${t.version}` : t.version);
export const keyOf = (t: ResourceType): ResourceKey => resourceKey(t.group, t.resource);

/** `deployments.apps`, `pods`: the qualified resource Kubernetes puts in NotFound / Conflict messages. */
export const qualifiedResource = (t: ResourceType): string => (t.group ? `${t.resource}.${t.group}` : t.resource);
/** `Deployment.apps`, `Pod`: the qualified kind Kubernetes puts in Invalid messages. */
export const qualifiedKind = (t: ResourceType): string => (t.group ? `${t.kind}.${t.group}` : t.kind);

/**
 * Types whose metadata.generation the API server maintains (bumped when the spec changes). Pods are
 * not among them in Kubernetes v1.30, the version the sandbox reports (pod generation came in v1.33+).
 */
export const GENERATION_TRACKED: ReadonlySet<ResourceKey> = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets', '/replicationcontrollers']);

/** Types for which an update of a missing object creates it (Kubernetes' AllowCreateOnUpdate). */
export const CREATE_ON_UPDATE: ReadonlySet<ResourceKey> = new Set(['/endpoints', '/events', 'coordination.k8s.io/leases']);

export const hasStatusSubresource = (t: ResourceType): boolean => t.subresources.includes('status');
