/**
 * deploy/ as kubectl renders it (`kubectl kustomize`): the Deployment's safety settings, probes,
 * volume and configuration; the remote-cluster overlay; and the ClusterRoles against cairn's code —
 * every Kubernetes call in src/ (outside the sandbox) must be granted, and every right granted must
 * be used by some call, so that the RBAC stays exactly what cairn needs as the code changes.
 * (npm run test:k8s proves the same rules on a real API server.)
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { validatePodSpec } from '../../src/sandbox/store/pod-validation.js';
import { RESOURCE } from '../../src/live/informer-kinds.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };
const render = async (dir: string) => loadAllYaml((await run('kubectl', ['kustomize', dir], { cwd: ROOT, timeout: 60_000 })).stdout) as Obj[];

let base: Obj[];
let remote: Obj[];
let replicas: Obj[];
beforeAll(async () => {
  [base, remote, replicas] = await Promise.all([render('deploy/'), render('deploy/overlays/remote-cluster'), render('deploy/overlays/replicas')]);
});
/** cairn's own object of that kind (deploy/ may hold others, e.g. a log collector's). */
const find = (objs: Obj[], kind: string) => objs.find((o) => o.kind === kind && o.metadata.name.startsWith('cairn'))!;
const container = (objs: Obj[]) => find(objs, 'Deployment').spec.template.spec.containers[0];
const envOf = (objs: Obj[]) => Object.fromEntries(container(objs).env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));

describe('deploy/', () => {
  it('holds the namespace, identity, rights, volume, server and its Service', () => {
    expect(base.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining([
      'ClusterRole/cairn',
      'ClusterRole/cairn-namespace',
      'ClusterRoleBinding/cairn',
      'Deployment/cairn',
      'Namespace/cairn',
      'PersistentVolumeClaim/cairn-data',
      'Role/cairn',
      'RoleBinding/cairn',
      'Service/cairn',
      'ServiceAccount/cairn',
    ]));
    for (const o of base.filter((o) => o.metadata.name.startsWith('cairn') && !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))) expect(o.metadata.namespace, o.kind).toBe('cairn');
  });

  it('runs cairn as its ServiceAccount, not root, on a read-only root filesystem, with no privilege to gain', () => {
    const pod = find(base, 'Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('cairn');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number), seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container(base).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('probes /healthz (liveness) and /readyz (readiness) on the port the Service targets, with resources set', () => {
    const c = container(base);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: Number(envOf(base).CAIRN_PORT) }]);
    expect(find(base, 'Service').spec.ports[0].targetPort).toBe('http');
    expect(find(base, 'Service').spec.selector).toEqual(find(base, 'Deployment').spec.selector.matchLabels);
    expect(c.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
  });

  it('keeps the database on the volume (one writer: Recreate), /tmp writable, and its settings valid for cairn', () => {
    const deployment = find(base, 'Deployment');
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    const env = envOf(base);
    const mounts = Object.fromEntries(container(base).volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts[dirname(env.CAIRN_DATABASE)]).toBe('data');
    expect(mounts['/tmp']).toBe('tmp');
    const volumes = Object.fromEntries(deployment.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim.claimName).toBe('cairn-data');
    const config = loadConfig(env);
    expect(config).toMatchObject({ host: '0.0.0.0', sandbox: false, inClusterName: 'in-cluster' });
    // The secret key from a Secret the operator makes (optional: without it cairn keeps a generated one on the volume).
    expect(container(base).env.find((e: any) => e.name === 'CAIRN_SECRET_KEY').valueFrom.secretKeyRef).toMatchObject({ key: 'secret-key', optional: true });
    // The metrics token from a Secret the operator makes (optional: without it /metrics is refused on 0.0.0.0).
    expect(container(base).env.find((e: any) => e.name === 'CAIRN_ADMIN_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'cairn-admin-token', key: 'token', optional: true });
    expect(container(base).env.find((e: any) => e.name === 'CAIRN_METRICS_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'cairn-metrics-token', key: 'token', optional: true });
  });

  it("binds cairn-namespace in app namespaces to the pod's own ServiceAccount (from the downward API)", () => {
    const env = container(base).env as any[];
    const byName = (name: string) => env.find((e) => e.name === name);
    expect(byName('CAIRN_POD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
    expect(byName('CAIRN_POD_SERVICE_ACCOUNT').valueFrom.fieldRef.fieldPath).toBe('spec.serviceAccountName');
    // $(VAR) refers only to variables defined before it.
    expect(env.indexOf(byName('CAIRN_NAMESPACE_BINDING_USER'))).toBeGreaterThan(env.indexOf(byName('CAIRN_POD_SERVICE_ACCOUNT')));
    expect(envOf(base)).toMatchObject({ CAIRN_NAMESPACE_BINDING: 'true', CAIRN_NAMESPACE_BINDING_ROLE: 'cairn-namespace', CAIRN_NAMESPACE_BINDING_USER: 'system:serviceaccount:$(CAIRN_POD_NAMESPACE):$(CAIRN_POD_SERVICE_ACCOUNT)' });
    expect(loadConfig(envOf(base))).toMatchObject({ namespaceBinding: true, namespaceBindingRole: 'cairn-namespace' });
  });

  it('overlays/remote-cluster: a kubeconfig Secret mounted as a directory, and no service account token in the pod', () => {
    const pod = find(remote, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const env = envOf(remote);
    const mount = container(remote).volumeMounts.find((m: any) => m.mountPath === env.CAIRN_KUBECONFIG);
    expect(pod.volumes.find((v: any) => v.name === mount.name).secret.secretName).toBe('cairn-kubeconfig');
  });

  it("overlays/remote-cluster suggests a long-lived token of cairn's ServiceAccount (a service-account-token Secret), not an expiring one", () => {
    const [secret] = loadAllYaml(readFileSync(join(ROOT, 'deploy/overlays/remote-cluster/remote-cluster-token.yaml'), 'utf8')) as Obj[];
    expect(secret).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { namespace: 'cairn', annotations: { 'kubernetes.io/service-account.name': 'cairn' } } });
    const guide = readFileSync(join(ROOT, 'deploy/overlays/remote-cluster/kustomization.yaml'), 'utf8');
    expect(guide).toContain('remote-cluster-token.yaml');
    expect(guide).not.toMatch(/create token cairn --duration/);
  });
});

describe('deploy/overlays/replicas', () => {
  const env = () => container(replicas).env as any[];
  const byName = (name: string) => env().find((e) => e.name === name);

  it('runs 3 replicas with rolling updates, spread over nodes, and a PodDisruptionBudget that keeps 2 of them', () => {
    const deployment = find(replicas, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    const pod = deployment.spec.template.spec;
    expect(pod.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: deployment.spec.selector.matchLabels } },
    ]);
    const pdb = find(replicas, 'PodDisruptionBudget');
    expect(pdb).toMatchObject({ apiVersion: 'policy/v1', metadata: { name: 'cairn', namespace: 'cairn' }, spec: { minAvailable: 2 } });
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas); // a drain can still evict one
    // The Service sends a client to one pod (terminal sessions stay in theirs).
    expect(find(replicas, 'Service').spec).toMatchObject({ sessionAffinity: 'ClientIP', selector: deployment.spec.selector.matchLabels });
  });

  it('reads CAIRN_DATABASE_URL from a Secret and keeps no SQLite file: no volume claim, no data volume, no CAIRN_DATABASE', () => {
    expect(byName('CAIRN_DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'cairn-database', key: 'url' });
    expect(byName('CAIRN_DATABASE')).toBeUndefined();
    expect(replicas.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    const pod = find(replicas, 'Deployment').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(container(replicas).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    // Nothing to generate on a volume: the secret key (the same on every replica) and the first admin token are required.
    expect(byName('CAIRN_SECRET_KEY').valueFrom.secretKeyRef).toEqual({ name: 'cairn-secret-key', key: 'secret-key', optional: false });
    expect(byName('CAIRN_ADMIN_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'cairn-admin-token', key: 'token', optional: false });
    // The pod names itself in the engine lease.
    expect(byName('CAIRN_ENGINE_HOLDER_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it('sets an engine lease cairn accepts, and its settings with the Secrets filled in are a valid configuration', () => {
    const values = {
      ...envOf(replicas),
      CAIRN_DATABASE_URL: 'postgres://cairn:secret@db.example:5432/cairn',
      CAIRN_SECRET_KEY: 'a'.repeat(43) + '=',
      CAIRN_ENGINE_HOLDER_NAME: 'cairn-7d9f8b6c5d-x2x4q',
    };
    const config = loadConfig(values);
    expect(config).toMatchObject({ databaseUrl: values.CAIRN_DATABASE_URL, host: '0.0.0.0', sandbox: false, engineHolderName: 'cairn-7d9f8b6c5d-x2x4q' });
    // Long enough to ride out a slow database round trip, short enough that a dead leader's releases wait seconds.
    expect(config.engineLeaseTtlMs).toBeGreaterThanOrEqual(5_000);
    expect(config.engineLeaseTtlMs).toBeLessThanOrEqual(15_000);
    // $(VAR) still refers only to variables defined before it.
    expect(env().indexOf(byName('CAIRN_NAMESPACE_BINDING_USER'))).toBeGreaterThan(env().indexOf(byName('CAIRN_POD_SERVICE_ACCOUNT')));
  });

  it('needs no Lease right (the engine lease is a database row) and no right the base does not grant', () => {
    expect(replicas.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
    const rbac = (objs: Obj[]) => objs.filter((o) => ['ClusterRole', 'ClusterRoleBinding', 'ServiceAccount'].includes(o.kind));
    expect(rbac(replicas)).toEqual(rbac(base));
    expect(JSON.stringify(replicas)).not.toContain('coordination.k8s.io');
  });

  it("keeps the base's safety settings, and its pod template passes the API server's pod validation", () => {
    const pod = find(replicas, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual(find(base, 'Deployment').spec.template.spec.securityContext);
    expect(container(replicas).securityContext).toEqual(container(base).securityContext);
    expect([container(replicas).livenessProbe, container(replicas).readinessProbe]).toEqual([container(base).livenessProbe, container(base).readinessProbe]);
    expect(validatePodSpec(pod, 'spec.template.spec')).toEqual([]);
  });
});

/**
 * Every Kubernetes call in src/ (not the sandbox) as `resource:verb`, with the scope it needs its right in:
 * `cluster` for cluster-scoped calls, calls across namespaces and those made before cairn's RoleBinding exists
 * in an app namespace (namespaces, rolebindings, the access review): ClusterRole cairn must grant them;
 * `namespace` for calls inside an app namespace: cairn-namespace (bound there) or cairn may grant them.
 */
function callsInCode(): Map<string, 'cluster' | 'namespace'> {
  const KINDS: Record<string, string> = {
    Namespace: 'namespaces',
    Service: 'services',
    ConfigMap: 'configmaps',
    Secret: 'secrets',
    Pod: 'pods',
    Event: 'events',
    Deployment: 'deployments',
    StatefulSet: 'statefulsets',
    ReplicaSet: 'replicasets',
    Lease: 'leases',
    RoleBinding: 'rolebindings',
    SelfSubjectAccessReview: 'selfsubjectaccessreviews',
  };
  const BEFORE_BINDING = new Set(['namespaces', 'rolebindings', 'selfsubjectaccessreviews']);
  const VERBS: Record<string, string> = { create: 'create', read: 'get', list: 'list', patch: 'patch', replace: 'update', delete: 'delete' };
  const calls = new Map<string, 'cluster' | 'namespace'>();
  const add = (call: string, scope: 'cluster' | 'namespace') => calls.set(call, calls.get(call) === 'cluster' ? 'cluster' : scope);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'sandbox' ? [] : walk(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  for (const file of walk(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\.(create|read|list|patch|replace|delete)(Namespaced)?([A-Z][A-Za-z]*?)(ForAllNamespaces|Status|Scale)?\(/g)) {
      const resource = KINDS[m[3]!];
      if (!resource) continue;
      const scope = BEFORE_BINDING.has(resource) || m[4] === 'ForAllNamespaces' ? 'cluster' : 'namespace';
      add(`${resource}${m[4] === 'Status' ? '/status' : m[4] === 'Scale' ? '/scale' : ''}:${VERBS[m[1]!]}`, scope);
    }
    if (/new Log\(/.test(text)) add('pods/log:get', 'namespace');
    if (/new Exec\(/.test(text)) add('pods/exec:create', 'namespace');
  }
  // The shared informers list and watch every kind across namespaces (src/live/informer-kinds.ts), by its resource.
  for (const resource of new Set(Object.values(RESOURCE))) {
    add(`${resource}:watch`, 'cluster');
    add(`${resource}:list`, 'cluster');
  }
  return calls;
}

const clusterRole = (name: string) => base.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)!;
const rights = (role: Obj) => new Set<string>(role.rules.flatMap((rule: any) => rule.resources.flatMap((r: string) => rule.verbs.map((v: string) => `${r}:${v}`))));

describe('the ClusterRoles against the code', () => {
  it('grant every call cairn makes, each in the role its scope requires, and nothing no call uses', () => {
    const cluster = rights(clusterRole('cairn'));
    const namespaced = rights(clusterRole('cairn-namespace'));
    const granted = new Set([...cluster, ...namespaced]);
    const used = callsInCode();
    expect(used.size).toBeGreaterThan(15);
    // Cluster-scoped, across namespaces, or before the RoleBinding exists: only ClusterRole cairn applies.
    const clusterCalls = [...used].filter(([, scope]) => scope === 'cluster').map(([c]) => c);
    expect(clusterCalls).toEqual(expect.arrayContaining(['namespaces:get', 'namespaces:create', 'rolebindings:create', 'selfsubjectaccessreviews:create', 'pods:watch']));
    expect(clusterCalls.filter((c) => !cluster.has(c)), 'cluster-scoped or pre-binding calls ClusterRole cairn does not grant').toEqual([]);
    // Inside an app namespace: cairn-namespace (bound there) and cairn (cluster-wide) both apply.
    const namespaceCalls = [...used].filter(([, scope]) => scope === 'namespace').map(([c]) => c);
    expect(namespaceCalls.filter((c) => !granted.has(c)), 'calls in app namespaces neither role grants').toEqual([]);
    // Exec over WebSocket is a GET before Kubernetes 1.30 (create from 1.30): both, on purpose. `bind` is what
    // creating the RoleBinding of cairn-namespace needs (no call of its own).
    const unused = [...granted].filter((g) => !used.has(g) && g !== 'pods/exec:get' && g !== 'clusterroles:bind');
    expect(unused, 'rights granted that no call in src/ uses').toEqual([]);
  });

  it('cluster-wide: no write, exec, log, Secret or ConfigMap right; may bind exactly cairn-namespace', () => {
    const binding = base.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'cairn')!;
    expect(binding.roleRef.name).toBe('cairn');
    expect([...rights(clusterRole('cairn'))].sort()).toEqual([
      'clusterroles:bind',
      'deployments:list',
      'deployments:watch',
      'events:list',
      'events:watch',
      'namespaces:create',
      'namespaces:get',
      'pods:list',
      'pods:watch',
      'rolebindings:create',
      'rolebindings:get',
      'selfsubjectaccessreviews:create',
      'statefulsets:list',
      'statefulsets:watch',
    ]);
    const bind = clusterRole('cairn').rules.find((r: any) => r.verbs.includes('bind'));
    expect(bind).toEqual({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cairn-namespace'] });
    // The RoleBinding is read back by its one name only.
    expect(clusterRole('cairn').rules.find((r: any) => r.resources.includes('rolebindings') && r.verbs.includes('get'))).toEqual({
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['rolebindings'],
      verbs: ['get'],
      resourceNames: ['cairn'],
    });
    // Nothing binds cairn-namespace cluster-wide.
    expect(base.filter((o) => o.kind === 'ClusterRoleBinding' && o.roleRef.name === 'cairn-namespace')).toEqual([]);
  });

  it('in an app namespace: Secrets and ConfigMaps created and deleted only (never read or listed)', () => {
    const namespaced = rights(clusterRole('cairn-namespace'));
    for (const r of ['secrets', 'configmaps']) expect([...namespaced].filter((g) => g.startsWith(`${r}:`)).sort()).toEqual([`${r}:create`, `${r}:delete`]);
    expect(loadConfig({}).namespaceBindingRole).toBe('cairn-namespace');
  });

  it('grants Leases only in cairn\'s own namespace (a Role, unused: the engine lease is a database row)', () => {
    const role = find(base, 'Role');
    expect(role.metadata.namespace).toBe('cairn');
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  });
});
