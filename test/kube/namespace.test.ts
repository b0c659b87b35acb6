/**
 * An app's namespace and cairn's RoleBinding in it (src/kube/namespace.ts), on a sandbox cluster: bound
 * before anything else is made there, once per namespace, never in a namespace cairn did not create;
 * a refused binding is a Forbidden error about the RoleBinding. (A real API server's refusals and the
 * NamespaceNotManaged error: test/k8s/in-cluster-rbac.k8s.ts.)
 */
import { CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { bindingSubject, renderRoleBinding, type NamespaceBinding } from '../../src/kube/namespace.js';
import { until } from '../e2e/harness.js';
import { nginxSettings, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
const binding: NamespaceBinding = { clusterRole: 'cairn-namespace', user: 'system:serviceaccount:cairn:cairn' };

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-namespace', speed: 100 });
});
afterAll(async () => {
  await cluster?.stop();
});

const rbacOf = () => workloadsFor(cluster.kubeconfig).kc.makeApiClient(RbacAuthorizationV1Api);
const writesIn = (namespace: string) =>
  cluster.counters.requests({ namespace, verb: ['create', 'patch', 'update', 'delete'] }).map((r) => `${r.verb} ${r.resource} ${r.code}`);

describe('the RoleBinding of an app namespace', () => {
  it('renders a ServiceAccount subject for a service-account user, a User otherwise', () => {
    expect(bindingSubject('system:serviceaccount:ops:cairn-prod')).toEqual({ kind: 'ServiceAccount', namespace: 'ops', name: 'cairn-prod' });
    expect(bindingSubject('cairn-remote')).toEqual({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'cairn-remote' });
    expect(renderRoleBinding({ namespace: 'cairn-shop', appName: 'shop' }, binding)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'cairn', namespace: 'cairn-shop', labels: { 'app.kubernetes.io/managed-by': 'cairn' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' },
      subjects: [{ kind: 'ServiceAccount', namespace: 'cairn', name: 'cairn' }],
    });
  });

  it('is created with the namespace, before anything else in it, and checked once per namespace', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const t = target('bound');
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    const made = await rbacOf().readNamespacedRoleBinding({ name: 'cairn', namespace: t.namespace });
    expect(made.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' });
    expect(made.subjects).toEqual([{ kind: 'ServiceAccount', namespace: 'cairn', name: 'cairn' }]);
    expect(writesIn(t.namespace)).toEqual(['create rolebindings 201', 'create services 201']);

    const reviews = () => cluster.counters.count({ verb: 'create', resource: 'selfsubjectaccessreviews' });
    const before = reviews();
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(reviews()).toBe(before);
    expect(writesIn(t.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201']);

    // After a restart (a new cache), the existing binding is fine: AlreadyExists.
    const restarted = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding }).kube;
    expect((await restarted.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(writesIn(t.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201', 'create rolebindings 409']);
  });

  it('is never made in a namespace cairn did not create (no managed-by=cairn label): cairn works there when it already may', async () => {
    const core = workloadsFor(cluster.kubeconfig).kc.makeApiClient(CoreV1Api);
    const t = target('foreign');
    await core.createNamespace({ body: { metadata: { name: t.namespace } } });
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(writesIn(t.namespace)).toEqual(['create services 201']);
    await expect(rbacOf().readNamespacedRoleBinding({ name: 'cairn', namespace: t.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it('is not made without a binding configured (CAIRN_NAMESPACE_BINDING=false)', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig);
    const t = target('unbound');
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(writesIn(t.namespace)).toEqual(['create services 201']);
  });

  it('refused (403), with no way to tell whether cairn may work there, is a Forbidden error naming the missing rights, and nothing else is made', async () => {
    const undo = [
      cluster.faults.failRequests({ verb: 'create', resource: 'rolebindings', code: 403 }),
      cluster.faults.failRequests({ verb: 'create', resource: 'selfsubjectaccessreviews', code: 403 }),
    ];
    try {
      const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
      const t = target('refused');
      const result = await kube.ensureBase(t, nginxSettings().ports);
      expect(result).toMatchObject({ ok: false, error: { kind: 'Forbidden', status: 403, permanent: true, object: { kind: 'RoleBinding', namespace: t.namespace, name: 'cairn' } } });
      if (result.ok) return;
      expect(result.error.message).toContain(`creating RoleBinding ${t.namespace}/cairn was refused`);
      expect(result.error.message).toContain('`rolebindings: create`');
      expect(result.error.message).toContain('`bind` on ClusterRole cairn-namespace');
      expect(writesIn(t.namespace)).toEqual(['create rolebindings 403']);
    } finally {
      for (const u of undo) u();
    }
  });

  it('refused (403) where cairn may already work (the RBAC of an earlier cairn, a cluster-admin kubeconfig) is fine, and remembered', async () => {
    const undo = cluster.faults.failRequests({ verb: 'create', resource: 'rolebindings', code: 403 });
    try {
      const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
      const t = target('old-rbac');
      expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
      expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
      expect(writesIn(t.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 403']);
      expect(writesIn(t.namespace)).toContain('create services 201');
    } finally {
      undo();
    }
  });

  it('a namespace not cairn\'s, where the access review fails (unknown), is NamespaceNotManaged at once', async () => {
    const core = workloadsFor(cluster.kubeconfig).kc.makeApiClient(CoreV1Api);
    const t = target('foreign-unknown');
    await core.createNamespace({ body: { metadata: { name: t.namespace } } });
    const undo = cluster.faults.failRequests({ verb: 'create', resource: 'selfsubjectaccessreviews', code: 403 });
    try {
      const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
      expect(await kube.ensureBase(t, nginxSettings().ports)).toMatchObject({ ok: false, error: { kind: 'Forbidden', reason: 'NamespaceNotManaged', object: { kind: 'Namespace', name: t.namespace } } });
      expect(writesIn(t.namespace)).toEqual([]);
    } finally {
      undo();
    }
  });

  it('a new binding whose access review fails is not waited for', async () => {
    const undo = cluster.faults.failRequests({ verb: 'create', resource: 'selfsubjectaccessreviews', code: 403 });
    try {
      const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: { ...binding, effectiveWithinMs: 60_000 } });
      const t = target('unknown-wait');
      const before = cluster.counters.count({ verb: 'create', resource: 'selfsubjectaccessreviews' });
      expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
      expect(cluster.counters.count({ verb: 'create', resource: 'selfsubjectaccessreviews' }) - before).toBe(1);
      expect(writesIn(t.namespace)).toEqual(['create rolebindings 201', 'create services 201']);
    } finally {
      undo();
    }
  });

  it('without a binding, an existing namespace is not read (and a refused read cannot fail the release)', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig);
    const t = target('unbound-again');
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    const undo = cluster.faults.failRequests({ verb: 'get', resource: 'namespaces', code: 403 });
    try {
      const reads = () => cluster.counters.count({ verb: 'get', resource: 'namespaces' });
      const before = reads();
      expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
      expect(reads()).toBe(before);
    } finally {
      undo();
    }
  });

  it('an app namespace made before cairn bound itself is bound before exec, logs and deletes (ensureAccess, deleteInstances, removeRevision), once', async () => {
    const t = target('before-upgrade');
    expect((await workloadsFor(cluster.kubeconfig).kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const bindings = () => writesIn(t.namespace).filter((w) => w.includes('rolebindings'));
    expect(await kube.ensureAccess(t)).toEqual({ ok: true, value: undefined });
    expect(bindings()).toEqual(['create rolebindings 201']);
    expect((await kube.deleteInstances(t, ['none'])).ok).toBe(true);
    expect((await kube.ensureAccess(t)).ok).toBe(true);
    expect(bindings()).toEqual(['create rolebindings 201']);

    // deleteInstances and removeRevision bind by themselves (a new process: an empty cache).
    const other = target('before-upgrade-2');
    expect((await workloadsFor(cluster.kubeconfig).kube.ensureBase(other, nginxSettings().ports)).ok).toBe(true);
    const fresh = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding }).kube;
    expect((await fresh.deleteInstances(other, ['none'])).ok).toBe(true);
    expect(writesIn(other.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201']);
    const third = target('before-upgrade-3');
    expect((await workloadsFor(cluster.kubeconfig).kube.ensureBase(third, nginxSettings().ports)).ok).toBe(true);
    expect((await workloadsFor(cluster.kubeconfig, { namespaceBinding: binding }).kube.removeRevision(third, 1)).ok).toBe(true);
    expect(writesIn(third.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201']);

    // A namespace that does not exist is left alone.
    expect((await kube.ensureAccess(target('never-made'))).ok).toBe(true);
    expect(writesIn(target('never-made').namespace)).toEqual([]);

    // One cairn may not read is left alone too: the delete that follows names its own refusal.
    const unread = target('unreadable');
    expect((await workloadsFor(cluster.kubeconfig).kube.ensureBase(unread, nginxSettings().ports)).ok).toBe(true);
    const undo = cluster.faults.failRequests({ verb: 'get', resource: 'namespaces', code: 403 });
    try {
      expect((await kube.ensureAccess(unread)).ok).toBe(true);
      expect((await kube.deleteInstances(unread, ['none'])).ok).toBe(true);
      expect(writesIn(unread.namespace).filter((w) => w.includes('rolebindings'))).toEqual([]);
    } finally {
      undo();
    }
  });

  it('is made once per process: later releases send no namespace create; one deleted under cairn is made again at the next step', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const t = target('made-once');
    const start = cluster.counters.count({ verb: 'create', resource: 'namespaces' });
    const creates = () => cluster.counters.count({ verb: 'create', resource: 'namespaces' }) - start;
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(creates()).toBe(1);
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(creates()).toBe(1);

    // Deleted by someone: the step in it fails (NotFound, retried by the engine) and the next one makes it again.
    const core = workloadsFor(cluster.kubeconfig).kc.makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name: t.namespace });
    await until('the namespace gone', async () => ((await core.listNamespace()).items.every((n) => n.metadata?.name !== t.namespace) ? true : undefined));
    const gone = await kube.ensureRevision(t, { number: 1, image: 'nginx:1.27', settings: nginxSettings() }, 1);
    expect(gone).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(creates()).toBe(2);
    expect(writesIn(t.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201', 'create rolebindings 201']);
    expect((await kube.ensureRevision(t, { number: 1, image: 'nginx:1.27', settings: nginxSettings() }, 1)).ok).toBe(true);
  });

  it('prepareNamespace makes the namespace and binding alone; the first release then sends neither, nor an access review', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const t = target('prepared');
    expect(await kube.prepareNamespace(t)).toEqual({ ok: true, value: undefined });
    expect(writesIn(t.namespace)).toEqual(['create rolebindings 201']);
    const setup = () => cluster.counters.requests().filter((r) => ['namespaces', 'rolebindings', 'selfsubjectaccessreviews'].includes(r.resource ?? '')).length;
    const before = setup();
    expect((await kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    expect(setup()).toBe(before);
    expect(writesIn(t.namespace)).toEqual(['create rolebindings 201', 'create services 201']);
  });

  it('two concurrent calls for one new namespace share one binding step: one create, no refusal', async () => {
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const t = target('concurrent');
    const results = await Promise.all([kube.ensureBase(t, nginxSettings().ports), kube.ensureAccess(t), kube.ensureBase(t, nginxSettings().ports)]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(writesIn(t.namespace).filter((w) => w.includes('rolebindings'))).toEqual(['create rolebindings 201']);

    // Two processes (two caches) at once: the second's AlreadyExists is cairn's own binding, awaited, not refused.
    const u = target('concurrent-two');
    const [a, b] = [workloadsFor(cluster.kubeconfig, { namespaceBinding: binding }).kube, workloadsFor(cluster.kubeconfig, { namespaceBinding: binding }).kube];
    const both = await Promise.all([a.ensureBase(u, nginxSettings().ports), b.ensureBase(u, nginxSettings().ports)]);
    expect(both.map((r) => r.ok)).toEqual([true, true]);
  });

  it('an existing RoleBinding `cairn` for another subject is checked by access review; when that review fails it is not remembered', async () => {
    const t = target('mismatch');
    expect((await workloadsFor(cluster.kubeconfig).kube.ensureBase(t, nginxSettings().ports)).ok).toBe(true);
    const core = workloadsFor(cluster.kubeconfig).kc.makeApiClient(CoreV1Api);
    await core.patchNamespace({ name: t.namespace, body: { metadata: { labels: { 'app.kubernetes.io/managed-by': 'cairn' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await rbacOf().createNamespacedRoleBinding({ namespace: t.namespace, body: renderRoleBinding(t, { ...binding, user: 'someone-else' }) });
    const undo = cluster.faults.failRequests({ verb: 'create', resource: 'selfsubjectaccessreviews', code: 403 });
    const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
    const reviews = () => cluster.counters.count({ verb: 'create', resource: 'selfsubjectaccessreviews' });
    try {
      // Unknown: fine, and asked again next time.
      expect((await kube.ensureAccess(t)).ok).toBe(true);
      const before = reviews();
      expect((await kube.ensureAccess(t)).ok).toBe(true);
      expect(reviews()).toBeGreaterThan(before);
    } finally {
      undo();
    }
    // Known (the sandbox's kubeconfig may work anywhere): remembered.
    expect((await kube.ensureAccess(t)).ok).toBe(true);
    const known = reviews();
    expect((await kube.ensureAccess(t)).ok).toBe(true);
    expect(reviews()).toBe(known);
  });
});
