/**
 * deploy/'s RBAC proven on a real kube-apiserver (npm run test:k8s; e2e-production authorizes with
 * RBAC): the rendered Namespace, ServiceAccount and roles are applied with kubectl, a token of
 * cairn's ServiceAccount is obtained through TokenRequest, and cairn runs as a process THROUGH THE
 * IN-CLUSTER PATH — a service-account directory (token, ca.crt) and KUBERNETES_SERVICE_HOST/_PORT,
 * no kubeconfig for that cluster — with exactly that identity. A release completes; the token is
 * rotated (and the old one invalidated) under the running process; a rule taken away shows as the
 * order's typed failure (CLUSTER_REFUSED, naming the refused call), not as a hang. And the whole of
 * deploy/ passes `kubectl apply --dry-run=server`.
 * Least privilege, checked with real calls under cairn's token: cairn bound cairn-namespace to itself in
 * the app namespace it created (RoleBinding cairn), and may NOT list or read Secrets anywhere (kube-system,
 * cluster-wide, its own app namespace), exec or delete pods outside its app namespaces, or bind any other
 * ClusterRole; a namespace it did not create is never bound (NamespaceNotManaged) until the operator binds it.
 * After an upgrade: a RoleBinding `cairn` made for another subject is refused by name, and on an older RBAC
 * (no `rolebindings: create`) cairn goes on where it may already work, else names the missing rights.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandboxes, until, type Cairn, type Sandboxes } from '../e2e/harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from '../e2e/operations.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
type Manifest = { kind: string; metadata: { name: string; namespace?: string }; rules?: Array<{ resources: string[] }> };

let sandboxes: Sandboxes;
let work: string;
let adminKubeconfig: string;
let rendered: Manifest[];
let cairn: Started | undefined;
type Started = { child: ChildProcess; gql: Cairn['gql']; logs: () => string; url: string; adminToken: string };

const production = () => inject('realClusters').find((c) => c.name === 'e2e-production')!;
const admin = () => sandboxes.kubeConfig('e2e-production');
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', adminKubeconfig, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
const api = () => ({ gql: cairn!.gql }) as unknown as Cairn;

/** Applies manifests with kubectl (as a List), as the admin. */
async function apply(manifests: Manifest[]): Promise<string> {
  const file = join(work, `apply-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  return (await kubectl('apply', '-f', file)).stdout;
}

/** A token of cairn's ServiceAccount (TokenRequest), bound to a Secret: deleting the Secret invalidates it. */
async function serviceAccountToken(boundTo: string): Promise<string> {
  const core = admin().makeApiClient(CoreV1Api);
  const secret = await core.createNamespacedSecret({ namespace: 'cairn', body: { metadata: { name: boundTo } } });
  const answer = await core.createNamespacedServiceAccountToken({
    name: 'cairn',
    namespace: 'cairn',
    body: { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: boundTo, uid: secret.metadata!.uid! } } },
  });
  handedOut.set(boundTo, answer.status!.token);
  return answer.status!.token;
}
/** The tokens handed out so far, by the Secret they are bound to. */
const handedOut = new Map<string, string>();

/** The HTTP status of a request to e2e-production with `token`. */
async function call(token: string, method: string, path: string, body?: unknown): Promise<number> {
  const { server, ca } = connection();
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', ca, '-X', method, '-H', `Authorization: Bearer ${token}`];
  if (body !== undefined) args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(body));
  return Number((await run('curl', [...args, `${server}${path}`], { timeout: 30_000 })).stdout);
}

/** Whether cairn's ServiceAccount may do this, as the authorizer answers (a SubjectAccessReview, asked as the admin). */
async function allowed(resourceAttributes: { namespace: string; verb: string; resource: string; subresource?: string }): Promise<boolean> {
  const review = await admin().makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: { spec: { user: 'system:serviceaccount:cairn:cairn', groups: ['system:serviceaccounts', 'system:serviceaccounts:cairn', 'system:authenticated'], resourceAttributes } },
  });
  return review.status?.allowed === true;
}

/** Whether the API server accepts `token` now (a request any authenticated user may make). */
async function accepted(token: string): Promise<boolean> {
  const { server, ca } = connection();
  const res = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', ca, '-H', `Authorization: Bearer ${token}`, `${server}/version`]);
  return res.stdout === '200';
}

function connection(): { server: string; ca: string } {
  const kc = new KubeConfig();
  kc.loadFromString(production().kubeconfig);
  const cluster = kc.getCurrentCluster()!;
  const ca = join(work, 'cluster-ca.crt');
  writeFileSync(ca, Buffer.from(cluster.caData!, 'base64'));
  return { server: cluster.server, ca };
}

/** cairn as a process, in-cluster on e2e-production (as `e2e-production`), plus e2e-test from a kubeconfig file. */
async function startCairn(serviceAccountDir: string): Promise<Started> {
  const { server } = connection();
  const url = new URL(server);
  const testKubeconfig = join(work, 'e2e-test.kubeconfig');
  writeFileSync(testKubeconfig, inject('realClusters').find((c) => c.name === 'e2e-test')!.kubeconfig);
  const dbDir = join(work, 'db');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      CAIRN_PORT: '0',
      CAIRN_DATABASE: join(dbDir, 'cairn.db'),
      CAIRN_LOG_LEVEL: 'info',
      KUBERNETES_SERVICE_HOST: url.hostname,
      KUBERNETES_SERVICE_PORT: url.port,
      CAIRN_SERVICE_ACCOUNT_DIR: serviceAccountDir,
      CAIRN_IN_CLUSTER_NAME: 'e2e-production',
      CAIRN_KUBECONFIG: testKubeconfig,
      CAIRN_SANDBOX: 'false',
      CAIRN_RELEASE_RESYNC_INTERVAL_MS: '1000',
      CAIRN_RELEASE_BATCH_DEADLINE_MS: '60000',
      CAIRN_CLUSTER_CHECK_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (c) => (output += String(c)));
  const port = await new Promise<number>((done, fail) => {
    let port = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      try {
        const l = JSON.parse(line) as { msg?: string; port?: number };
        if (l.msg === 'listening') port = l.port ?? 0;
        if (l.msg === 'ready') done(port);
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => fail(new Error(`cairn exited (${code}) before it was ready: ${output}`)));
  });
  const adminToken = readFileSync(join(dbDir, 'admin-token'), 'utf8').trim();
  const gql: Cairn['gql'] = async (query, variables, headers = { authorization: `Bearer ${adminToken}` }) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  return { child, gql, logs: () => output, url: `http://127.0.0.1:${port}/graphql`, adminToken };
}

/** A subscription over server-sent events, until an event that ends it (InstanceLogsEnded, an error) or 30 s. */
async function streamUntilEnded(query: string, variables: Record<string, unknown>): Promise<Array<{ __typename: string; [key: string]: any }>> {
  const events: Array<{ __typename: string; [key: string]: any }> = [];
  const res = await fetch(cairn!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${cairn!.adminToken}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
      buffer = buffer.slice(end + 2);
      if (!data) continue;
      const event = (JSON.parse(data) as { data?: { instanceLogs?: { __typename: string } } }).data?.instanceLogs;
      if (!event) continue;
      events.push(event);
      if (event.__typename !== 'InstanceLogLines') {
        await reader.cancel();
        return events;
      }
    }
  }
}

const stateIs = (id: string, ...states: string[]) => async () => {
  const o = await readOrder(api(), id);
  return states.includes(o.state) ? o : undefined;
};

beforeAll(async () => {
  expect(production().authorization).toBe('RBAC');
  work = mkdtempSync(join(tmpdir(), 'cairn-rbac-'));
  adminKubeconfig = join(work, 'admin.kubeconfig');
  writeFileSync(adminKubeconfig, production().kubeconfig);
  sandboxes = await startSandboxes();
  rendered = loadAllYaml((await kubectl('kustomize', 'deploy/')).stdout) as Manifest[];
}, 120_000);

afterAll(async () => {
  if (cairn && cairn.child.exitCode === null) {
    cairn.child.kill('SIGTERM');
    await once(cairn.child, 'exit');
  }
  if (adminKubeconfig) {
    await kubectl('delete', 'clusterrolebinding/cairn', 'clusterrolebinding/cairn-old-rbac', 'clusterrole/cairn', 'clusterrole/cairn-namespace', '--ignore-not-found').catch(() => undefined);
    await kubectl('delete', 'namespace/cairn', 'namespace/cairn-foreign', 'namespace/cairn-squatted', '--ignore-not-found', '--wait=false').catch(() => undefined);
  }
  await sandboxes?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

describe("deploy/ on a real API server (RBAC)", () => {
  it("applies deploy/'s Namespace, ServiceAccount and roles, and the whole of deploy/ passes a server-side dry run", async () => {
    // cairn's own (deploy/ may hold others, e.g. a log collector's).
    const rbac = rendered.filter((m) => RBAC_KINDS.has(m.kind) && (m.metadata.name === 'cairn' || m.metadata.name === 'cairn-namespace'));
    expect(rbac.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ClusterRole/cairn',
      'ClusterRole/cairn-namespace',
      'ClusterRoleBinding/cairn',
      'Namespace/cairn',
      'Role/cairn',
      'RoleBinding/cairn',
      'ServiceAccount/cairn',
    ]);
    await apply(rbac);
    const dryRun = await kubectl('apply', '--dry-run=server', '-k', 'deploy/');
    expect(dryRun.stdout).toContain('deployment.apps/cairn');
    expect(dryRun.stdout).toContain('(server dry run)');
    expect(dryRun.stdout).toContain('persistentvolumeclaim/cairn-data');
    expect(dryRun.stdout).toContain('service/cairn');
    // The long-lived token a remote cluster hands out (overlays/remote-cluster), against the same API server.
    const token = await kubectl('apply', '--dry-run=server', '-f', 'deploy/overlays/remote-cluster/remote-cluster-token.yaml');
    expect(token.stdout).toContain('secret/cairn-remote-token created (server dry run)');
  });

  it('cairn with only the ServiceAccount\'s token, through the in-cluster path, releases 4 instances in 2 batches (pause, resume, complete), execs in an instance and reads its log', async () => {
    const serviceAccount = join(work, 'serviceaccount');
    rmSync(serviceAccount, { recursive: true, force: true });
    mkdirSync(serviceAccount, { recursive: true });
    writeFileSync(join(serviceAccount, 'token'), await serviceAccountToken('cairn-token-one'));
    writeFileSync(join(serviceAccount, 'ca.crt'), readFileSync(connection().ca));
    cairn = await startCairn(serviceAccount);

    const clusters = await until('both clusters reachable', async () => {
      const res = await cairn!.gql('{ clusters { name reachable lastError sandbox } }');
      const list = res.data?.clusters as Array<{ reachable: boolean | null }> | undefined;
      return list && list.every((c) => c.reachable === true) ? list : undefined;
    });
    expect(clusters).toEqual([
      { name: 'e2e-production', reachable: true, lastError: null, sandbox: false },
      { name: 'e2e-test', reachable: true, lastError: null, sandbox: false },
    ]);
    expect(cairn.logs()).toContain('"inCluster":"e2e-production"');

    const { envId } = await createApp(api(), 'ranked', 'STATELESS');
    await setDraft(api(), envId, { instances: 4, tag: '1.25', greeting: 'hello', file: 'one' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 2, pauseMode: 'FIRST_BATCH' })).releaseOrder.id;
    const paused = await until('PAUSED', stateIs(id, 'PAUSED', 'FAILED'), 60_000);
    expect(paused).toMatchObject({ state: 'PAUSED', batchesDone: 1, failures: [] });
    await orderAction(api(), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED', 'FAILED'), 60_000);
    expect(done).toMatchObject({ state: 'COMPLETED', batchesDone: 2, failures: [] });
    expect(done.batches.map((b: { state: string }) => b.state)).toEqual(['DONE', 'DONE']);

    // The objects are in the real cluster, created by cairn's identity (the only credential it has for it).
    const pods = await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'cairn-ranked' });
    expect(pods.items.filter((p) => p.status?.phase === 'Running')).toHaveLength(4);

    // Exec through the API server (pods get, pods/exec).
    const instances = await cairn.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { instances { id name } } } }`, { id: envId });
    const instance = instances.data.node.instances[0].id;
    const exec = await cairn.gql(
      `mutation ($input: ExecInInstanceInput!) { execInInstance(input: $input) { __typename ... on ExecInInstancePayload { exitCode stdout } ... on Error { message } } }`,
      { input: { instance, command: ['cat', '/etc/cairn/release.txt'] } },
    );
    expect(exec.data.execInInstance).toMatchObject({ __typename: 'ExecInInstancePayload', exitCode: 0, stdout: 'one' });

    // Its log through the API server (pods/log), over server-sent events until the stream ends by itself.
    const events = await streamUntilEnded(`subscription ($id: ID!) { instanceLogs(instance: $id, tailLines: 20, follow: false) { __typename ... on InstanceLogLines { lines { message } } ... on InstanceLogsEnded { reason } ... on Error { message } } }`, { id: instance });
    expect(events.at(-1)?.__typename).toBe('InstanceLogsEnded');
    expect(events.filter((e) => e.__typename === 'InstanceLogLines').flatMap((e) => e.lines).length).toBeGreaterThan(0);

    // The app namespace got cairn's RoleBinding (made by cairn's identity: it holds no such right cluster-wide).
    const binding = await admin().makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: 'cairn', namespace: 'cairn-ranked' });
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }]);
  });

  it("cairn's identity may not read or list Secrets anywhere, exec or delete outside its app namespaces, nor bind another ClusterRole (real calls: 403)", async () => {
    const token = readFileSync(join(work, 'serviceaccount', 'token'), 'utf8');
    const asCairn = (method: string, path: string, body?: unknown) => call(token, method, path, body);
    // Secrets: never listed or read, in kube-system, across namespaces, or in the app namespace cairn created.
    expect(await asCairn('GET', '/api/v1/namespaces/kube-system/secrets')).toBe(403);
    expect(await asCairn('GET', '/api/v1/secrets')).toBe(403);
    expect(await asCairn('GET', '/api/v1/namespaces/cairn-ranked/secrets')).toBe(403);
    expect(await asCairn('GET', '/api/v1/namespaces/cairn-ranked/secrets/ranked-production-r1-env')).toBe(403);
    expect(await asCairn('GET', '/api/v1/namespaces/cairn-ranked/configmaps')).toBe(403);
    // Exec, logs and deletes: not in kube-system (nor any namespace cairn did not bind).
    const kubeSystemPod = (await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' })).items[0]?.metadata?.name ?? 'any';
    expect(await asCairn('POST', `/api/v1/namespaces/kube-system/pods/${kubeSystemPod}/exec?command=id&stdout=true`)).toBe(403);
    expect(await asCairn('GET', `/api/v1/namespaces/kube-system/pods/${kubeSystemPod}/exec?command=id&stdout=true`)).toBe(403);
    expect(await asCairn('GET', `/api/v1/namespaces/kube-system/pods/${kubeSystemPod}/log`)).toBe(403);
    expect(await asCairn('DELETE', `/api/v1/namespaces/kube-system/pods/${kubeSystemPod}`)).toBe(403);
    expect(await asCairn('POST', '/api/v1/namespaces/kube-system/secrets', { metadata: { name: 'planted' } })).toBe(403);
    // The same questions to the authorizer (SubjectAccessReview as the admin), for the record.
    const may = (namespace: string, verb: string, resource: string, subresource?: string) => allowed({ namespace, verb, resource, subresource });
    expect(await may('kube-system', 'list', 'secrets')).toBe(false);
    expect(await may('kube-system', 'create', 'pods', 'exec')).toBe(false);
    expect(await may('cairn-ranked', 'get', 'secrets')).toBe(false);
    expect(await may('cairn-ranked', 'create', 'pods', 'exec')).toBe(true);
    // Binding any ClusterRole but cairn-namespace is refused (escalation), even in its own app namespace.
    const grab = { metadata: { name: 'grab' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }] };
    expect(await asCairn('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/cairn-ranked/rolebindings', grab)).toBe(403);
  });

  it('a namespace cairn did not create is never bound: the order fails at once, named (NamespaceNotManaged); with the operator’s RoleBinding, retry completes', async () => {
    const core = admin().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cairn-foreign' } } });
    const { envId } = await createApp(api(), 'foreign', 'STATELESS');
    await setDraft(api(), envId, { instances: 1, tag: '1.25', greeting: 'not mine', file: 'f' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED', 'COMPLETED'), 30_000);
    expect(failed.failures).toMatchObject([{ instanceName: 'Namespace/cairn-foreign', reason: 'CLUSTER_REFUSED' }]);
    expect(failed.failures[0].message).toContain('was not created by cairn');
    expect(failed.failures[0].message).toContain('apply a RoleBinding of ClusterRole cairn-namespace to system:serviceaccount:cairn:cairn in cairn-foreign');
    await expect(admin().makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: 'cairn', namespace: 'cairn-foreign' })).rejects.toMatchObject({ code: 404 });

    // The operator binds it (as the README says); cairn then works there without binding anything itself.
    await apply([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'cairn-by-operator', namespace: 'cairn-foreign' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' }, subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }] } as unknown as Manifest,
    ]);
    await orderAction(api(), 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 60_000);
    expect(done.failures).toMatchObject([{ reason: 'CLUSTER_REFUSED', resolvedAt: expect.any(String) }]);
    await expect(admin().makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: 'cairn', namespace: 'cairn-foreign' })).rejects.toMatchObject({ code: 404 });
  });

  it('a rotated token is used without a restart: the old one invalidated, the next release completes; a refused token shows on the cluster', async () => {
    const serviceAccount = join(work, 'serviceaccount');
    writeFileSync(join(serviceAccount, 'token.new'), await serviceAccountToken('cairn-token-two'));
    renameSync(join(serviceAccount, 'token.new'), join(serviceAccount, 'token'));
    const current = readFileSync(join(serviceAccount, 'token'), 'utf8');
    const first = handedOut.get('cairn-token-one')!;
    expect(first).not.toBe(current);
    // The first token's Secret goes: the API server refuses that token from now on.
    await admin().makeApiClient(CoreV1Api).deleteNamespacedSecret({ name: 'cairn-token-one', namespace: 'cairn' });
    await until('the first token refused', async () => ((await accepted(first)) ? undefined : true), 30_000);
    expect(await accepted(current)).toBe(true);

    const { envId } = await createApp(api(), 'rotated', 'STATELESS');
    await setDraft(api(), envId, { instances: 2, tag: '1.25', greeting: 'again', file: 'two' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED', 'FAILED'), 60_000);
    expect(done).toMatchObject({ state: 'COMPLETED', failures: [] });
    const clusters = await cairn!.gql('{ clusters { name reachable lastError } }');
    expect(clusters.data.clusters[0]).toEqual({ name: 'e2e-production', reachable: true, lastError: null });

    // A token the API server does not accept shows on the cluster, named; the next good one clears it.
    writeFileSync(join(serviceAccount, 'token'), 'not-a-token-of-this-cluster');
    const refused = async () => (await cairn!.gql('{ clusters { name reachable lastError } }')).data.clusters[0];
    expect(await until('the 401 on the cluster', async () => ((await refused()).reachable === false ? refused() : undefined), 30_000)).toEqual({
      name: 'e2e-production',
      reachable: false,
      lastError: 'the API server answered HTTP 401',
    });
    writeFileSync(join(serviceAccount, 'token'), current);
    await until('reachable again', async () => ((await refused()).reachable === true ? true : undefined), 30_000);
    expect((await refused()).lastError).toBeNull();
  });

  it('a rule taken away (Services, from cairn-namespace) fails the order at once with CLUSTER_REFUSED naming the refused call; with the rule back, retry completes', async () => {
    const full = rendered.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'cairn-namespace')!;
    const without = { ...full, rules: full.rules!.filter((r) => !r.resources.includes('services')) };
    expect(without.rules!.length).toBe(full.rules!.length - 1);
    await apply([without]);

    const { envId } = await createApp(api(), 'refused', 'STATELESS');
    await setDraft(api(), envId, { instances: 1, tag: '1.25', greeting: 'no', file: 'no' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED', 'COMPLETED'), 30_000);
    expect(failed.state).toBe('FAILED');
    expect(failed.failures).toMatchObject([{ instanceName: 'Service/refused-production', reason: 'CLUSTER_REFUSED' }]);
    expect(failed.failures[0].message).toContain('(HTTP 403 Forbidden)');
    expect(failed.failures[0].message).toContain('system:serviceaccount:cairn:cairn');
    expect(failed.failures[0].message).toContain('cannot create resource "services"');

    await apply([full]);
    await orderAction(api(), 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 60_000);
    expect(done.failures).toMatchObject([{ reason: 'CLUSTER_REFUSED', resolvedAt: expect.any(String) }]);
  });

  it('a RoleBinding `cairn` that exists for another subject is not taken as bound: the order fails at once, naming it and the subject expected', async () => {
    const core = admin().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cairn-squatted', labels: { 'app.kubernetes.io/managed-by': 'cairn' } } } });
    await apply([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'cairn', namespace: 'cairn-squatted' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' }, subjects: [{ kind: 'ServiceAccount', name: 'renamed', namespace: 'cairn' }] } as unknown as Manifest,
    ]);
    const { envId } = await createApp(api(), 'squatted', 'STATELESS');
    await setDraft(api(), envId, { instances: 1, tag: '1.25', greeting: 'squat', file: 's' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
    const failed = await until('FAILED', stateIs(id, 'FAILED', 'COMPLETED'), 30_000);
    expect(failed.failures).toMatchObject([{ reason: 'CLUSTER_REFUSED' }]);
    expect(failed.failures[0].message).toContain('RoleBinding cairn-squatted/cairn exists but does not let cairn work in cairn-squatted');
    expect(failed.failures[0].message).toContain('ServiceAccount cairn/cairn');
  });

  it('after an upgrade, on a cluster still on an older RBAC: a refused RoleBinding names the missing rights, and where cairn may work already (cluster-wide rights) it goes on', async () => {
    const full = rendered.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'cairn')!;
    const old = { ...full, rules: full.rules!.filter((r) => !r.resources.includes('rolebindings') && !r.resources.includes('clusterroles')) };
    expect(old.rules!.length).toBe(full.rules!.length - 3);
    await apply([old]);
    try {
      const { envId } = await createApp(api(), 'oldrbac', 'STATELESS');
      await setDraft(api(), envId, { instances: 1, tag: '1.25', greeting: 'old', file: 'o' });
      const id = (await createOrder(api(), { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder.id;
      const failed = await until('FAILED', stateIs(id, 'FAILED', 'COMPLETED'), 30_000);
      expect(failed.failures).toMatchObject([{ reason: 'CLUSTER_REFUSED' }]);
      expect(failed.failures[0].message).toContain('creating RoleBinding cairn-oldrbac/cairn was refused');
      expect(failed.failures[0].message).toContain('`rolebindings: create`');

      // The old cluster-wide grant (cairn's rights bound in every namespace): cairn works without binding itself.
      await apply([
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cairn-old-rbac' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cairn-namespace' }, subjects: [{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }] } as unknown as Manifest,
      ]);
      await until('the old grant applies', async () => ((await allowed({ namespace: 'cairn-oldrbac', verb: 'create', resource: 'services' })) ? true : undefined), 30_000);
      await orderAction(api(), 'retryFailedInstances', 'RetryFailedInstancesInput', { id });
      const done = await until('COMPLETED', stateIs(id, 'COMPLETED', 'FAILED'), 60_000);
      expect(done.state).toBe('COMPLETED');
      await expect(admin().makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: 'cairn', namespace: 'cairn-oldrbac' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await apply([full]);
      await kubectl('delete', 'clusterrolebinding/cairn-old-rbac', '--ignore-not-found');
    }
  });
});
