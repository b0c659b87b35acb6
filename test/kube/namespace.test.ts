/**
 * An app's namespace and cairn's RoleBinding in it (src/kube/namespace.ts), on a sandbox cluster: bound
 * before anything else is made there, once per namespace, never in a namespace cairn did not create;
 * a refused binding is a Forbidden error about the RoleBinding. (A real API server's refusals and the
 * NamespaceNotManaged error: test/k8s/in-cluster-rbac.k8s.ts.)
 */
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { bindingSubject, renderRoleBinding, type NamespaceBinding } from '../../src/kube/namespace.js';
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

  it('refused (403) is a Forbidden error about the RoleBinding, and nothing else is made in the namespace', async () => {
    const undo = cluster.faults.failRequests({ verb: 'create', resource: 'rolebindings', code: 403 });
    try {
      const { kube } = workloadsFor(cluster.kubeconfig, { namespaceBinding: binding });
      const t = target('refused');
      const result = await kube.ensureBase(t, nginxSettings().ports);
      expect(result).toMatchObject({ ok: false, error: { kind: 'Forbidden', status: 403, object: { kind: 'RoleBinding', namespace: t.namespace, name: 'cairn' } } });
      expect(writesIn(t.namespace)).toEqual(['create rolebindings 403']);
    } finally {
      undo();
    }
  });
});
