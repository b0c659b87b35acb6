import { describe, it, expect } from 'vitest';
import { RESOURCE_TYPES, findType, qualifiedKind, qualifiedResource, typeByName, typeForKind } from '../../../src/sandbox/store/resources.js';

describe('served resource types', () => {
  it.each([
    ['/namespaces', 'Namespace', 'NamespaceList', false, ['ns']],
    ['/nodes', 'Node', 'NodeList', false, ['no']],
    ['/pods', 'Pod', 'PodList', true, ['po']],
    ['/services', 'Service', 'ServiceList', true, ['svc']],
    ['/endpoints', 'Endpoints', 'EndpointsList', true, ['ep']],
    ['/configmaps', 'ConfigMap', 'ConfigMapList', true, ['cm']],
    ['/secrets', 'Secret', 'SecretList', true, []],
    ['/events', 'Event', 'EventList', true, ['ev']],
    ['apps/deployments', 'Deployment', 'DeploymentList', true, ['deploy']],
    ['apps/replicasets', 'ReplicaSet', 'ReplicaSetList', true, ['rs']],
    ['apps/statefulsets', 'StatefulSet', 'StatefulSetList', true, ['sts']],
    ['apps/controllerrevisions', 'ControllerRevision', 'ControllerRevisionList', true, []],
    ['coordination.k8s.io/leases', 'Lease', 'LeaseList', true, []],
  ])('%s', (key, kind, listKind, namespaced, shortNames) => {
    const t = findType(key)!;
    expect({ kind: t.kind, listKind: t.listKind, namespaced: t.namespaced, shortNames: t.shortNames }).toEqual({ kind, listKind, namespaced, shortNames });
  });

  it('serves exactly these types', () => expect(RESOURCE_TYPES).toHaveLength(17));

  it('names them as Kubernetes messages do', () => {
    const d = findType('apps/deployments')!;
    expect([qualifiedResource(d), qualifiedKind(d)]).toEqual(['deployments.apps', 'Deployment.apps']);
    const p = findType('/pods')!;
    expect([qualifiedResource(p), qualifiedKind(p)]).toEqual(['pods', 'Pod']);
  });

  it('finds types by kind and by kubectl names', () => {
    expect(typeForKind('apps/v1', 'StatefulSet')?.resource).toBe('statefulsets');
    expect(typeForKind('v1', 'StatefulSet')).toBeUndefined();
    expect(['deploy', 'deployment', 'deployments', 'deployments.apps'].map((n) => typeByName(n)?.resource)).toEqual(Array(4).fill('deployments'));
    expect(typeByName('po')?.resource).toBe('pods');
  });

  it('lists status and scale subresources where Kubernetes has them', () => {
    expect(findType('apps/deployments')!.subresources).toEqual(['status', 'scale']);
    expect(findType('/configmaps')!.subresources).toEqual([]);
  });
});
