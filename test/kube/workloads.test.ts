/** The kube layer against a sandbox cluster: stateless revisions, idempotence, finding by label, errors. */
import { AppsV1Api, CoreV1Api, Exec, type KubeConfig } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { imageReference } from '../../src/domain/image-reference.js';
import { createWorkloads, type Workloads } from '../../src/kube/workloads.js';
import { renderConfigMap } from '../../src/kube/render/index.js';
import { liveOf, nginxSettings, observeUntil, readyOf, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
let core: CoreV1Api;
let apps: AppsV1Api;
let kc: KubeConfig;

/** Runs a command in a pod's container; resolves with its stdout. */
function exec(namespace: string, pod: string, container: string, command: string[]): Promise<string> {
  let out = '';
  const stdout = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
  const stderr = new Writable({ write(_c, _e, cb) { cb(); } });
  return new Promise((resolve, reject) => {
    new Exec(kc).exec(namespace, pod, container, command, stdout, stderr, null, false, () => resolve(out)).catch(reject);
  });
}

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-workloads', speed: 100 });
  const w = workloadsFor(cluster.kubeconfig);
  kube = w.kube;
  kc = w.kc;
  core = w.kc.makeApiClient(CoreV1Api);
  apps = w.kc.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('stateless revisions on a sandbox cluster', () => {
  const t = target('shop');
  const settings = nginxSettings();
  const r1 = { number: 1, image: imageReference(settings, 'latest')!, settings, releaseOrderId: 'order-1' };
  const settings2 = nginxSettings({ env: [{ name: 'GREETING', value: 'bonjour', secret: false }] });
  const r2 = { number: 2, image: imageReference(settings2, '1.25')!, settings: settings2, releaseOrderId: 'order-2' };

  it('brings a revision to Ready pods, idempotently, and everything is found by label', async () => {
    expect(await kube.ensureBase(t, settings.ports)).toEqual({ ok: true, value: undefined });
    expect((await kube.ensureRevision(t, r1, 2)).ok).toBe(true);
    const o = await observeUntil(kube, t, (o) => readyOf(o, 1) === 2);
    expect(o.revisions).toEqual([{ number: 1, desired: 2, current: 2, ready: 2, workload: 'shop-production-r1' }]);
    for (const i of o.instances) {
      expect(i).toMatchObject({ revision: 1, phase: 'Running', ready: true, failure: null, restarts: 0 });
      expect(i.node).toBeTruthy();
      expect(i.ip).toBeTruthy();
      expect(i.containers[0]).toMatchObject({ name: 'shop', state: 'running', ready: true });
    }

    // Repeating every step changes nothing.
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(t, r1, 2)).ok).toBe(true);
    const deployments = (await apps.listNamespacedDeployment({ namespace: t.namespace, labelSelector: 'app.kubernetes.io/managed-by=cairn' })).items;
    expect(deployments.map((d) => [d.metadata?.name, d.metadata?.generation])).toEqual([['shop-production-r1', 1]]);

    // Found again by label, as after a restart.
    const listed = await kube.listRevisionsInCluster(t);
    expect(listed).toEqual({ ok: true, value: [{ number: 1, workload: 'shop-production-r1', replicas: 2, releaseOrderId: 'order-1', deleting: false }] });
    const selector = 'cairn.dev/app=shop,cairn.dev/environment=production,app.kubernetes.io/managed-by=cairn';
    expect((await core.listNamespacedService({ namespace: t.namespace, labelSelector: selector })).items.map((s) => s.metadata?.name)).toEqual(['shop-production']);
    expect((await core.listNamespacedConfigMap({ namespace: t.namespace, labelSelector: `${selector},cairn.dev/revision=1` })).items).toHaveLength(1);
    expect((await core.listNamespacedSecret({ namespace: t.namespace, labelSelector: `${selector},cairn.dev/revision=1` })).items).toHaveLength(1);
    expect((await core.listNamespacedPod({ namespace: t.namespace, labelSelector: `${selector},cairn.dev/revision=1` })).items).toHaveLength(2);
    expect((await core.listNamespace({ labelSelector: 'cairn.dev/app=shop' })).items.map((n) => n.metadata?.name)).toEqual(['cairn-shop']);

    // The Service selects the environment's pods.
    const service = await core.readNamespacedService({ name: 'shop-production', namespace: t.namespace });
    expect(service.spec?.selector).toEqual({ 'cairn.dev/app': 'shop', 'cairn.dev/environment': 'production' });
    expect(service.spec?.ports?.map((p) => [p.name, p.port])).toEqual([['http', 80]]);

    // Inside an instance: the env var, the secret env var and the mounted file.
    const pod = o.instances[0]!.name;
    expect(await exec(t.namespace, pod, 'shop', ['sh', '-c', 'echo "$GREETING $API_TOKEN"'])).toBe('hello tok-123\n');
    expect(await exec(t.namespace, pod, 'shop', ['cat', '/etc/nginx/conf.d/extra.conf'])).toBe('gzip on;\n');
  });

  it('scales a new revision up and the old one down', async () => {
    expect((await kube.ensureRevision(t, r2, 1)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 2) === 1 && readyOf(o, 1) === 2);
    expect((await kube.scaleRevision(t, 1, 1)).ok).toBe(true);
    const o = await observeUntil(kube, t, (o) => liveOf(o, 1) === 1 && readyOf(o, 2) === 1);
    expect(o.revisions.map(({ number, desired }) => ({ number, desired }))).toEqual([
      { number: 1, desired: 1 },
      { number: 2, desired: 1 },
    ]);
    // Repeating ensureRevision for an existing revision only scales it.
    expect((await kube.ensureRevision(t, r2, 2)).ok).toBe(true);
    expect((await kube.scaleRevision(t, 1, 0)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 2) === 2 && liveOf(o, 1) === 0);
    const d2 = await apps.readNamespacedDeployment({ name: 'shop-production-r2', namespace: t.namespace });
    expect(d2.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.25');
    expect(d2.metadata?.annotations?.['cairn.dev/release-order']).toBe('order-2');

    const listed = await kube.listRevisionsInCluster(t);
    expect(listed.ok && listed.value.map((r) => [r.number, r.replicas])).toEqual([
      [1, 0],
      [2, 2],
    ]);
  });

  it('deletes failed instances so that their controller recreates them', async () => {
    const before = await observeUntil(kube, t, (o) => readyOf(o, 2) === 2);
    const victim = before.instances.find((i) => i.revision === 2)!.name;
    const deleted = await kube.deleteInstances(t, [victim, 'not-a-pod-of-ours']);
    expect(deleted).toEqual({ ok: true, value: [victim] });
    const after = await observeUntil(kube, t, (o) => readyOf(o, 2) === 2 && !o.instances.some((i) => i.name === victim));
    expect(after.instances.filter((i) => i.revision === 2)).toHaveLength(2);
  });

  it('removes a revision with its ConfigMap and Secret, twice without error', async () => {
    expect((await kube.removeRevision(t, 1)).ok).toBe(true);
    expect((await kube.removeRevision(t, 1)).ok).toBe(true);
    const listed = await kube.listRevisionsInCluster(t);
    expect(listed.ok && listed.value.map((r) => r.number)).toEqual([2]);
    await expect(core.readNamespacedConfigMap({ name: 'shop-production-r1-files', namespace: t.namespace })).rejects.toMatchObject({ code: 404 });
    await expect(core.readNamespacedSecret({ name: 'shop-production-r1-env', namespace: t.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it('never lists or reads a Secret or a ConfigMap (it has no right to): candidates are named, their objects deleted by name', async () => {
    const reads = () => ['secrets', 'configmaps'].map((resource) => cluster.counters.count({ verb: ['list', 'get', 'watch'], resource }));
    const before = reads();
    // A candidate no workload holds is listed with nothing running; removing it again is fine.
    const listed = await kube.listRevisionsInCluster(t, [1, 2]);
    expect(listed.ok && listed.value.map((r) => [r.number, r.workload, r.replicas])).toEqual([
      [1, '', 0],
      [2, 'shop-production-r2', 2],
    ]);
    expect((await kube.removeRevision(t, 1)).ok).toBe(true);
    expect(cluster.counters.count({ verb: 'delete', resource: 'secrets', name: 'shop-production-r1-env' })).toBeGreaterThan(0);
    expect(reads()).toEqual(before);
  });

  it('reports Kubernetes errors as data', async () => {
    expect(await kube.scaleRevision(t, 99, 1)).toMatchObject({ ok: false, error: { kind: 'NotFound', status: 404, reason: 'NotFound', object: { kind: 'Deployment', name: 'shop-production-r99' } } });
    expect(await kube.ensureRevision(t, { ...r2, number: 3 }, -1)).toMatchObject({ ok: false, error: { kind: 'Invalid', status: 422 } });
    // A revision number whose Deployment runs another image was made by someone else: refused, not scaled.
    const other = await kube.ensureRevision(t, { ...r2, image: 'nginx:1.27' }, 5);
    expect(other).toMatchObject({ ok: false, error: { kind: 'Conflict', permanent: true, object: { kind: 'Deployment', namespace: t.namespace, name: 'shop-production-r2' } } });
    expect(!other.ok && other.error.message).toMatch(/runs nginx:1.25, not nginx:1.27/);
    expect((await apps.readNamespacedDeployment({ name: 'shop-production-r2', namespace: t.namespace })).spec?.replicas).not.toBe(5);
    const down = workloadsFor(cluster.kubeconfig.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1'), { retry: { attempts: 2, baseDelayMs: 1 } }).kube;
    expect(await down.ensureBase(t, [])).toMatchObject({ ok: false, error: { kind: 'Unavailable', status: null } });
  });
});

describe('after a crash or a race', () => {
  it('completes a half-made revision and lets concurrent callers both succeed', async () => {
    const t = target('halfway');
    const settings = nginxSettings();
    const r1 = { number: 1, image: 'nginx:1.25', settings };
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    // Only the ConfigMap was made before the crash.
    const configMap = renderConfigMap(t, 1, settings.fileMounts)!;
    await core.createNamespacedConfigMap({ namespace: t.namespace, body: configMap });
    const [a, b] = await Promise.all([kube.ensureRevision(t, r1, 2), kube.ensureRevision(t, r1, 2)]);
    expect([a.ok, b.ok]).toEqual([true, true]);
    await observeUntil(kube, t, (o) => readyOf(o, 1) === 2);
    expect((await kube.listRevisionsInCluster(t)).ok).toBe(true);
  });
});

describe('createWorkloads', () => {
  it('asks the registry for the target cluster', async () => {
    const asked: string[] = [];
    const { kc } = workloadsFor(cluster.kubeconfig);
    const k = createWorkloads((name) => (asked.push(name), kc));
    expect((await k.listRevisionsInCluster(target('nothing-here', 'STATELESS', 'prod-cluster'))).ok).toBe(true);
    expect(asked).toEqual(['prod-cluster']);
  });

  it('answers with an error, never a throw, for a cluster the registry does not know', async () => {
    const k = createWorkloads((name) => {
      throw new Error(`no cluster named ${name}`);
    });
    const t = target('nowhere', 'STATELESS', 'gone');
    expect(await k.observeEnvironment(t)).toMatchObject({ ok: false, error: { message: 'no cluster named gone' } });
  });
});
