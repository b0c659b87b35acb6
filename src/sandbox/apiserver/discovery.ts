/**
 * Discovery documents: /api, /apis, /apis/GROUP, /api/v1, /apis/GROUP/VERSION, and /version.
 * Shapes follow k8s.io/apimachinery/pkg/apis/meta/v1 (APIVersions, APIGroupList, APIResourceList).
 */
import type { ResourceType } from '../store/types.js';
import { isReviewType } from './reviews.js';

export const KUBERNETES_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0',
  gitCommit: '7c48c2bd72b9bf5c44d21d7338cc7bea77d0ad2a',
  gitTreeState: 'clean',
  buildDate: '2024-04-17T17:27:00Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** `kubectl get all` reads the "all" category. */
const inCategoryAll = new Set(['pods', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers']);

export const groupVersion = (type: Pick<ResourceType, 'group' | 'version'>) => (type.group ? `${type.group}/${type.version}` : type.version);

function versionsOf(types: readonly ResourceType[], group: string): string[] {
  return [...new Set(types.filter((t) => t.group === group).map((t) => t.version))];
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(types: readonly ResourceType[], name: string) {
  const versions = versionsOf(types, name).map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(types: readonly ResourceType[]) {
  const groups = [...new Set(types.map((t) => t.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(types, g)) };
}

export function apiGroupDocument(types: readonly ResourceType[], name: string) {
  if (!types.some((t) => t.group === name)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(types, name) };
}

/** The verbs and kind a subresource is served with. */
export function subresourceInfo(type: ResourceType, sub: string): { kind: string; group?: string; version?: string; verbs: string[] } | undefined {
  switch (sub) {
    case 'status':
      return { kind: type.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };
    case 'log':
      return type.resource === 'pods' ? { kind: 'Pod', verbs: ['get'] } : undefined;
    case 'exec':
      return type.resource === 'pods' ? { kind: 'PodExecOptions', verbs: ['create', 'get'] } : undefined;
    case 'binding':
      return type.resource === 'pods' ? { kind: 'Binding', verbs: ['create'] } : undefined;
    case 'eviction':
      return type.resource === 'pods' ? { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] } : undefined;
    case 'proxy':
      if (type.group !== '' || (type.resource !== 'pods' && type.resource !== 'nodes')) return undefined;
      return { kind: type.resource === 'pods' ? 'PodProxyOptions' : 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    default:
      return undefined;
  }
}

/** Subresources served for a type: what the store declares, plus pods/binding which the scheduler needs. */
export function subresourcesOf(type: ResourceType): string[] {
  const subs = new Set(type.subresources);
  if (type.group === '' && type.resource === 'pods') for (const s of ['binding', 'eviction', 'log', 'exec', 'proxy', 'status']) subs.add(s);
  if (type.group === '' && type.resource === 'nodes') subs.add('proxy');
  return [...subs].filter((s) => subresourceInfo(type, s) !== undefined);
}

export function apiResourceList(types: readonly ResourceType[], group: string, version: string) {
  const served = types.filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  if (group === '' && version === 'v1') resources.push({ name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] });
  for (const type of served) {
    const entry: Record<string, unknown> = {
      name: type.resource,
      singularName: type.kind.toLowerCase(),
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: isReviewType(type) ? ['create'] : allVerbs,
    };
    if (type.shortNames?.length) entry.shortNames = type.shortNames;
    if (inCategoryAll.has(type.resource)) entry.categories = ['all'];
    resources.push(entry);
    for (const sub of subresourcesOf(type)) {
      const info = subresourceInfo(type, sub)!;
      const subEntry: Record<string, unknown> = { name: `${type.resource}/${sub}`, singularName: '', namespaced: type.namespaced, kind: info.kind, verbs: info.verbs };
      if (info.group) subEntry.group = info.group;
      if (info.version) subEntry.version = info.version;
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}
