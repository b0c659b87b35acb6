import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { deployment, pod, startServer, type TestServer } from './helpers.js';

let s: TestServer;
let core: CoreV1Api;
let apps: AppsV1Api;
beforeAll(async () => {
  s = await startServer();
  core = s.kc.makeApiClient(CoreV1Api);
  apps = s.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: 'objects' } } });
});
afterAll(() => s.close());

const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string>;
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the request to fail');
};

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name, labels },
  data,
});

describe('get, create, update, delete', () => {
  it('creates with 201, reads back, and bumps resourceVersion on update', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('one') });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.namespace).toBe('objects');
    const read = await core.readNamespacedConfigMap({ name: 'one', namespace: 'objects' });
    expect(read.data).toEqual({ a: '1' });
    const updated = await core.replaceNamespacedConfigMap({ name: 'one', namespace: 'objects', body: { ...read, data: { a: '2' } } });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(read.metadata!.resourceVersion));
    expect(updated.data).toEqual({ a: '2' });
  });

  it('answers a stale update with 409 Conflict', async () => {
    const v1 = await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('stale') });
    await core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'objects', body: { ...v1, data: { a: 'first' } } });
    const failure = await statusOf(core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'objects', body: { ...v1, data: { a: 'second' } } }));
    expect(failure.code).toBe(409);
    expect(failure.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(failure.body.message).toContain('the object has been modified');
  });

  it('answers 404 NotFound, 409 AlreadyExists and 422 Invalid with Status bodies', async () => {
    const missing = await statusOf(core.readNamespacedConfigMap({ name: 'nope', namespace: 'objects' }));
    expect(missing).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' } } });
    const missingDeploy = await statusOf(apps.readNamespacedDeployment({ name: 'nope', namespace: 'objects' }));
    expect(missingDeploy.body.message).toBe('deployments.apps "nope" not found');

    await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('twice') });
    const again = await statusOf(core.createNamespacedConfigMap({ namespace: 'objects', body: cm('twice') }));
    expect(again).toMatchObject({ code: 409, body: { reason: 'AlreadyExists' } });

    const invalid = await statusOf(core.createNamespacedConfigMap({ namespace: 'objects', body: cm('Not_A_Name') }));
    expect(invalid).toMatchObject({ code: 422, body: { reason: 'Invalid', details: { causes: [expect.objectContaining({ field: 'metadata.name' })] } } });
  });

  it('refuses a body whose namespace or name disagrees with the URL, and content in a missing namespace', async () => {
    const res = await s.request('/api/v1/namespaces/objects/configmaps', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'x', namespace: 'default' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' });

    await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('named') });
    const put = await s.request('/api/v1/namespaces/objects/configmaps/named', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'other' } }),
    });
    expect(put.status).toBe(400);

    const nowhere = await statusOf(core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: cm('x') }));
    expect(nowhere).toMatchObject({ code: 404, body: { message: 'namespaces "no-such-ns" not found' } });
  });

  it('deletes: a Status for most kinds, the object for pods, and a terminating pod when it has a node', async () => {
    await apps.createNamespacedDeployment({ namespace: 'objects', body: deployment('gone') });
    const res = await s.request('/apis/apps/v1/namespaces/objects/deployments/gone', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', group: 'apps', kind: 'deployments' } });
    expect((await statusOf(apps.readNamespacedDeployment({ name: 'gone', namespace: 'objects' }))).code).toBe(404);

    await core.createNamespacedPod({ namespace: 'objects', body: pod('unbound') as never });
    const deleted = await core.deleteNamespacedPod({ name: 'unbound', namespace: 'objects' });
    expect(deleted).toMatchObject({ kind: 'Pod', metadata: { name: 'unbound' } });

    await core.createNamespacedPod({ namespace: 'objects', body: pod('bound', { spec: { nodeName: 'node-1' } }) as never });
    const terminating = await core.deleteNamespacedPod({ name: 'bound', namespace: 'objects', gracePeriodSeconds: 30 });
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    expect((await core.readNamespacedPod({ name: 'bound', namespace: 'objects' })).metadata?.deletionGracePeriodSeconds).toBe(30);
    // DeleteOptions in the body, as kubectl sends them.
    const now = await s.request('/api/v1/namespaces/objects/pods/bound', {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }),
    });
    expect(now.status).toBe(200);
    expect((await statusOf(core.readNamespacedPod({ name: 'bound', namespace: 'objects' }))).code).toBe(404);
  });

  it('deletes a collection by label selector and returns the deleted items', async () => {
    await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('sweep-1', {}, { sweep: 'yes' }) });
    await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('sweep-2', {}, { sweep: 'yes' }) });
    await core.createNamespacedConfigMap({ namespace: 'objects', body: cm('keep', {}, { sweep: 'no' }) });
    const res = await s.request('/api/v1/namespaces/objects/configmaps?labelSelector=sweep%3Dyes', { method: 'DELETE' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.kind).toBe('ConfigMapList');
    expect(body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['sweep-1', 'sweep-2']);
    const left = await core.listNamespacedConfigMap({ namespace: 'objects', labelSelector: 'sweep' });
    expect(left.items.map((i) => i.metadata?.name)).toEqual(['keep']);
  });
});

describe('list', () => {
  it('lists with kind, resourceVersion, selectors, across namespaces, without kind on items', async () => {
    await core.createNamespace({ body: { metadata: { name: 'list-a' } } });
    await core.createNamespace({ body: { metadata: { name: 'list-b' } } });
    await core.createNamespacedPod({ namespace: 'list-a', body: pod('a1') as never });
    await core.createNamespacedPod({ namespace: 'list-b', body: pod('b1', { metadata: { labels: { app: 'db' } } }) as never });
    const all = await (await s.request('/api/v1/pods?labelSelector=app')).json();
    expect(all.kind).toBe('PodList');
    expect(all.apiVersion).toBe('v1');
    expect(Number(all.metadata.resourceVersion)).toBe(s.store.currentVersion());
    const names = all.items.map((p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['list-a/a1', 'list-b/b1']));
    expect(all.items[0].kind).toBeUndefined();
    const web = await core.listPodForAllNamespaces({ labelSelector: 'app in (web)' });
    expect(web.items.map((p) => p.metadata?.name)).toContain('a1');
    expect(web.items.map((p) => p.metadata?.name)).not.toContain('b1');
    const byField = await core.listNamespacedPod({ namespace: 'list-b', fieldSelector: 'metadata.name=b1' });
    expect(byField.items).toHaveLength(1);
    const bad = await s.request('/api/v1/pods?fieldSelector=spec.colour%3Dred');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('pages with limit and continue, keeping the first page’s resourceVersion', async () => {
    await core.createNamespace({ body: { metadata: { name: 'paging' } } });
    for (let i = 0; i < 7; i++) await core.createNamespacedConfigMap({ namespace: 'paging', body: cm(`cm-${i}`) });
    const seen: string[] = [];
    let token: string | undefined;
    let firstVersion: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 3, _continue: token });
      pages++;
      firstVersion ??= page.metadata?.resourceVersion;
      expect(page.metadata?.resourceVersion).toBe(firstVersion);
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue;
      if (token) expect(page.metadata?.remainingItemCount).toBe(7 - seen.length);
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });

  it('expires continue tokens once history is compacted (410)', async () => {
    const first = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 2 });
    await core.createNamespacedConfigMap({ namespace: 'paging', body: cm('after-first-page') });
    s.api.faults.compact();
    const expired = await statusOf(core.listNamespacedConfigMap({ namespace: 'paging', limit: 2, _continue: first.metadata?._continue }));
    expect(expired).toMatchObject({ code: 410, body: { reason: 'Expired' } });
  });
});
