/**
 * Conformance with kube-apiserver (checked against v1.20.2, scripts/real-cluster with
 * --authorization-mode=RBAC): rbac.authorization.k8s.io/v1 Roles, ClusterRoles, RoleBindings and
 * ClusterRoleBindings as stored objects. Each refusal below was posted to the real API server as it is
 * here and the message is the real one. cairn writes one of these (the RoleBinding of an app's
 * namespace, src/kube/namespace.ts), so a sandbox must accept and refuse them as a real server does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../apiserver/helpers.js';

let s: TestServer;
const json = { 'Content-Type': 'application/json' };
beforeAll(async () => {
  s = await startServer();
  expect((await s.request('/api/v1/namespaces', { method: 'POST', headers: json, body: JSON.stringify({ metadata: { name: 't' } }) })).status).toBe(201);
});
afterAll(() => s.close());

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const post = (path: string, body: unknown) => s.request(`${RBAC}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
const object = (kind: string, name: string, extra: Record<string, unknown>) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name }, ...extra });

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('rbac.authorization.k8s.io/v1 in a sandbox, as kube-apiserver', () => {
  it('is served in discovery with the four kinds', async () => {
    const list = (await (await s.request(RBAC)).json()) as { resources: Array<{ name: string; kind: string; namespaced: boolean }> };
    expect(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.name, r.kind, r.namespaced])).toEqual([
      ['roles', 'Role', true],
      ['rolebindings', 'RoleBinding', true],
      ['clusterroles', 'ClusterRole', false],
      ['clusterrolebindings', 'ClusterRoleBinding', false],
    ]);
  });

  it('stores a RoleBinding with the defaults a real server fills in (roleRef.apiGroup, a User subject’s apiGroup)', async () => {
    const created = await post('/namespaces/t/rolebindings', object('RoleBinding', 'cairn', { roleRef: { kind: 'ClusterRole', name: 'cairn-namespace' }, subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }, { kind: 'User', name: 'u' }] }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: expect.objectContaining({ name: 'cairn', namespace: 't' }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' },
      subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }],
    });
    const again = await post('/namespaces/t/rolebindings', object('RoleBinding', 'cairn', { roleRef: { kind: 'ClusterRole', name: 'cairn-namespace' } }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('rolebindings.rbac.authorization.k8s.io "cairn" already exists');
  });

  it('refuses a change of roleRef, and accepts other changes', async () => {
    const path = `${RBAC}/namespaces/t/rolebindings/cairn`;
    const patch = (body: unknown) => s.request(path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
    const refused = await patch({ roleRef: { name: 'edit' } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "cairn" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    );
    expect((await patch({ metadata: { labels: { a: 'b' } } })).status).toBe(200);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['a RoleBinding without roleRef', '/namespaces/t/rolebindings', object('RoleBinding', 'rb', {}),
      'RoleBinding.rbac.authorization.k8s.io "rb" is invalid: [roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole", roleRef.name: Required value]'],
    ['a RoleBinding with bad roleRef and subjects', '/namespaces/t/rolebindings',
      object('RoleBinding', 'rb2', { roleRef: { kind: 'Foo', name: 'a/b' }, subjects: [{ kind: 'ServiceAccount', name: 'Bad_Name', apiGroup: 'x' }, { kind: 'User' }, { kind: 'Robot', name: 'r' }, { kind: 'Group', name: 'g', apiGroup: 'nope' }] }),
      `RoleBinding.rbac.authorization.k8s.io "rb2" is invalid: [roleRef.kind: Unsupported value: "Foo": supported values: "Role", "ClusterRole", roleRef.name: Invalid value: "a/b": may not contain '/', subjects[0].name: Invalid value: "Bad_Name": ${SUBDOMAIN}, subjects[0].apiGroup: Unsupported value: "x": supported values: "", subjects[1].name: Required value, subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group", subjects[3].apiGroup: Unsupported value: "nope": supported values: "rbac.authorization.k8s.io"]`],
    ['a ClusterRoleBinding to a Role, with a ServiceAccount without namespace', '/clusterrolebindings',
      object('ClusterRoleBinding', 'crb', { roleRef: { kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 's' }] }),
      'ClusterRoleBinding.rbac.authorization.k8s.io "crb" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]'],
    ['a Role with an empty rule and a namespaced non-resource URL', '/namespaces/t/roles',
      object('Role', 'r', { rules: [{}, { verbs: ['get'], nonResourceURLs: ['/x'], resources: ['pods'] }] }),
      'Role.rbac.authorization.k8s.io "r" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource, rules[1].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs, rules[1].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs]'],
    ['a ClusterRole named with % and a rule without resources', '/clusterroles',
      object('ClusterRole', 'a%b', { rules: [{ verbs: ['get'], apiGroups: [''] }] }),
      `ClusterRole.rbac.authorization.k8s.io "a%b" is invalid: [metadata.name: Invalid value: "a%b": may not contain '%', rules[0].resources: Required value: resource rules must supply at least one resource]`],
  ])('refuses %s (422, the real message)', async (_what, path, body, message) => {
    const res = await post(path, body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toBe(message);
  });

  it('stores ClusterRoles with resourceNames and a ClusterRoleBinding to one', async () => {
    const rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['x'] }];
    const role = object('ClusterRole', 'cairn-namespace', { rules });
    expect((await post('/clusterroles', role)).status).toBe(201);
    const binding = object('ClusterRoleBinding', 'cairn', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' }, subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }] });
    expect((await post('/clusterrolebindings', binding)).status).toBe(201);
    const read = (await (await s.request(`${RBAC}/clusterroles/cairn-namespace`)).json()) as { rules: unknown[] };
    expect(read.rules).toEqual(rules);
  });
});
