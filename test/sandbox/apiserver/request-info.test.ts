import { describe, expect, it } from 'vitest';
import { requestInfo } from '../../../src/sandbox/apiserver/request-info.js';

describe('requestInfo', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns/pods', { verb: 'list', group: '', version: 'v1', namespace: 'ns', resource: 'pods' }],
    ['GET', '/api/v1/pods?watch=1', { verb: 'watch', resource: 'pods', namespace: undefined }],
    ['GET', '/api/v1/namespaces/ns/pods?watch=true', { verb: 'watch', namespace: 'ns' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods/p', { verb: 'watch', namespace: 'ns', resource: 'pods', name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', { verb: 'get', name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', { verb: 'get', name: 'p', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/ns/pods', { verb: 'create', name: undefined }],
    ['PUT', '/apis/apps/v1/namespaces/ns/deployments/d/scale', { verb: 'update', group: 'apps', resource: 'deployments', name: 'd', subresource: 'scale' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/status', { verb: 'patch', subresource: 'status' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', { verb: 'deletecollection' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps/c', { verb: 'delete', name: 'c' }],
    ['GET', '/api/v1/namespaces/ns', { verb: 'get', resource: 'namespaces', name: 'ns', namespace: undefined }],
    ['PUT', '/api/v1/namespaces/ns/status', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'status', namespace: undefined }],
    ['GET', '/api/v1/nodes/n1', { verb: 'get', resource: 'nodes', name: 'n1' }],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', { group: 'coordination.k8s.io', resource: 'leases', name: 'n1' }],
    // proxy: the rest of the path (still encoded, trailing slash kept) is the subpath.
    ['GET', '/api/v1/namespaces/ns/pods/p:9376/proxy', { verb: 'get', name: 'p:9376', subresource: 'proxy', subpath: '' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/proxy/', { subresource: 'proxy', subpath: '/' }],
    ['POST', '/api/v1/namespaces/ns/pods/p/proxy/a/b%2Fc/?x=1', { verb: 'create', subresource: 'proxy', subpath: '/a/b%2Fc/' }],
    ['GET', '/api/v1/nodes/n1:10250/proxy/stats/summary', { resource: 'nodes', name: 'n1:10250', subresource: 'proxy', subpath: '/stats/summary' }],
  ])('%s %s', (method, url, expected) => {
    const info = requestInfo(method, url);
    expect(info.isResourceRequest).toBe(true);
    expect(info).toMatchObject(expected);
  });

  it('a path beyond any other subresource is not served', () => {
    expect(requestInfo('GET', '/api/v1/namespaces/ns/pods/p/log/more')).toMatchObject({ verb: 'unknown' });
  });

  it.each(['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/openapi/v3'])('%s is not a resource request', (url) => {
    expect(requestInfo('GET', url).isResourceRequest).toBe(false);
  });
});
