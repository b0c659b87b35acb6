import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, VersionApi, ApisApi } from '@kubernetes/client-node';
import { startServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('discovery and non-resource paths', () => {
  it('serves /version like a v1.30 API server, without credentials', async () => {
    const res = await fetch(`${s.api.url}/version`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ major: '1', minor: '30', gitVersion: 'v1.30.0' });
    const viaClient = await s.kc.makeApiClient(VersionApi).getCode();
    expect(viaClient.gitVersion).toBe('v1.30.0');
  });

  it.each(['/healthz', '/livez', '/readyz'])('answers %s with plain ok, without credentials', async (path) => {
    const res = await fetch(`${s.api.url}${path}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('lists the core version, the groups and the resources with verbs, kinds and short names', async () => {
    expect(await (await s.request('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = await s.kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'coordination.k8s.io']));
    expect(groups.groups.find((g) => g.name === 'apps')?.preferredVersion?.groupVersion).toBe('apps/v1');

    const core = await s.kc.makeApiClient(CoreV1Api).getAPIResources();
    const pods = core.resources.find((r) => r.name === 'pods')!;
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, singularName: 'pod', shortNames: ['po'] });
    expect(pods.verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(core.resources.find((r) => r.name === 'pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(core.resources.find((r) => r.name === 'pods/exec')).toMatchObject({ kind: 'PodExecOptions' });
    expect(core.resources.find((r) => r.name === 'nodes')).toMatchObject({ namespaced: false, kind: 'Node' });

    const apps = await (await s.request('/apis/apps/v1')).json();
    expect(apps).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments')).toMatchObject({ shortNames: ['deploy'], categories: ['all'] });
    const leases = await (await s.request('/apis/coordination.k8s.io/v1')).json();
    expect(leases.resources[0]).toMatchObject({ name: 'leases', kind: 'Lease', namespaced: true });
    expect(await (await s.request('/apis/apps')).json()).toMatchObject({ kind: 'APIGroup', name: 'apps' });
  });

  it('answers unknown paths with a 404 Status and unsupported verbs with a 405 Status', async () => {
    for (const path of ['/api/v1/widgets', '/apis/batch/v1', '/openapi/v2', '/nothing', '/api/v1/namespaces/default/pods/x/attach']) {
      const res = await s.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    }
    const res = await s.request('/api/v1/namespaces/default/pods', { method: 'PUT', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    const acrossNamespaces = await s.request('/api/v1/pods', { method: 'POST', body: '{"metadata":{"name":"x"}}', headers: { 'Content-Type': 'application/json' } });
    expect(acrossNamespaces.status).toBe(405);
  });

  it('answers a path that cannot be decoded with a 400 Status', async () => {
    const res = await s.request('/api/v1/namespaces/%E0%A4%A/pods');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect((await s.request('/healthz')).status).toBe(200);
  });

  it('refuses requests without the bearer token with a 401 Status', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const res = await fetch(`${s.api.url}/api/v1/namespaces`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
    expect((await s.request('/api/v1/namespaces')).status).toBe(200);
  });
});
