/**
 * The release engine's hot writes as plain JSON requests (src/kube/json-request.ts, workloads-clients.ts `hot`),
 * against a sandbox cluster over HTTPS with a bearer token: the objects are written as the generated clients wrote
 * them, within the same bounds (the verb's deadline, the shared keep-alive pool), told to the call observer and the
 * write marks, and a refusal or a timeout fails as client-node's calls do (kube-errors maps them alike).
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { KubeTimeoutError } from '../../src/kube/deadline.js';
import { takesJsonCalls } from '../../src/kube/json-request.js';
import { toKubeError } from '../../src/kube/kube-errors.js';
import { requestOf, type KubeCallEnd, type KubeRequest } from '../../src/kube/kube-request.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { renderDeployment, renderService } from '../../src/kube/render/index.js';
import { clientCache } from '../../src/kube/workloads-clients.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';

let cluster: SandboxCluster;
let plain: KubeConfig;
beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'hot', speed: 100, tls: true, token: 'hot-token', nodeAgent: false, controllers: false });
  plain = new KubeConfig();
  plain.loadFromString(cluster.kubeconfig);
  await plain.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'cairn-shop' } } });
});
afterAll(() => cluster?.stop());

const target = { cluster: 'hot', namespace: 'cairn-shop', appName: 'shop', environmentKind: 'PRODUCTION' as const, appType: 'STATELESS' as const };
const settings = { ...presetSettings('NGINX'), instances: 4, ports: [{ containerPort: 80, protocol: 'TCP' as const, name: 'http' }] };
const revision = { number: 3, image: 'nginx:1.25', settings };

function bounded(timeouts = DEFAULT_KUBE_TIMEOUTS) {
  const calls: { request: KubeRequest; end?: KubeCallEnd }[] = [];
  const kc = new BoundedKubeConfig(plain, {
    cluster: 'hot',
    timeouts,
    observe: (request) => {
      const call: { request: KubeRequest; end?: KubeCallEnd } = { request };
      calls.push(call);
      return (end) => (call.end = end);
    },
  });
  return { kc, calls, hot: clientCache(() => kc)('hot').hot };
}

describe('the hot writes as plain JSON requests', () => {
  it('create a Service and a Deployment and scale it, as the generated clients would, observed and marked', async () => {
    const { kc, calls, hot } = bounded();
    expect(takesJsonCalls(kc)).toBe(true);
    expect(takesJsonCalls(plain)).toBe(false); // not bounded: the generated clients
    const deployment = renderDeployment(target, revision, 1);
    const service = renderService(target, settings.ports)!;
    const madeService = (await hot.createService('cairn-shop', service)) as { metadata: { uid: string; resourceVersion: string } };
    expect(madeService.metadata.uid).toBeTruthy();
    const made = (await hot.createDeployment('cairn-shop', deployment)) as { metadata: { name: string; creationTimestamp: string; resourceVersion: string } };
    expect(made.metadata.name).toBe(deployment.metadata!.name);
    expect(typeof made.metadata.creationTimestamp).toBe('string'); // the API server's JSON, not a typed model
    const scaled = (await hot.scaleDeployment('cairn-shop', made.metadata.name, 3)) as { spec: { replicas: number }; metadata: { resourceVersion: string } };
    expect(scaled.spec.replicas).toBe(3);

    // What the generated clients read back is what they would have written themselves.
    const stored = await plain.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: made.metadata.name, namespace: 'cairn-shop' });
    expect(stored.spec?.template?.spec?.containers?.[0]).toMatchObject({ image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] });
    expect(stored.metadata?.labels).toEqual(deployment.metadata?.labels);
    expect((await plain.makeApiClient(CoreV1Api).readNamespacedService({ name: service.metadata!.name!, namespace: 'cairn-shop' })).spec?.selector).toEqual(service.spec?.selector);

    expect(calls.map((c) => [c.request.verb, c.request.kind, c.request.namespace, c.request.name ?? null, c.end?.method, c.end?.status, c.end?.failure])).toEqual([
      ['create', 'Service', 'cairn-shop', null, 'POST', 201, null],
      ['create', 'Deployment', 'cairn-shop', null, 'POST', 201, null],
      ['patch', 'Deployment', 'cairn-shop', made.metadata.name, 'PATCH', 200, null],
    ]);
    expect(calls[2]!.end!.path).toBe(`/apis/apps/v1/namespaces/cairn-shop/deployments/${made.metadata.name}`);
    expect(kc.bounds.writes!.latest('Deployment', 'cairn-shop')).toBe(scaled.metadata.resourceVersion);
  });

  it('a refusal fails as client-node’s calls do: its status, its Status body, the request it was', async () => {
    const { hot } = bounded();
    const deployment = renderDeployment({ ...target, appName: 'twice' }, revision, 1);
    await hot.createDeployment('cairn-shop', deployment);
    const again = await hot.createDeployment('cairn-shop', deployment).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 409 });
    expect(requestOf(again)).toMatchObject({ cluster: 'hot', verb: 'create', kind: 'Deployment', namespace: 'cairn-shop' });
    expect(toKubeError(again)).toMatchObject({ kind: 'Conflict', status: 409, reason: 'AlreadyExists' });
    const missing = await hot.scaleDeployment('cairn-shop', 'none', 2).catch((e: unknown) => e);
    expect(toKubeError(missing)).toMatchObject({ kind: 'NotFound', status: 404 });
  });

  it('a write the API server never answers ends at its verb’s deadline', async () => {
    const { hot, calls } = bounded({ ...DEFAULT_KUBE_TIMEOUTS, requestMs: 300 });
    const off = cluster.faults.hangRequests({ verb: 'create', resource: 'deployments', times: 1 });
    try {
      const started = performance.now();
      const hung = await hot.createDeployment('cairn-shop', renderDeployment({ ...target, appName: 'hung' }, revision, 1)).catch((e: unknown) => e);
      expect(hung).toBeInstanceOf(KubeTimeoutError);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(toKubeError(hung)).toMatchObject({ kind: 'Unavailable' });
      expect(calls.at(-1)!.end).toMatchObject({ status: null, failure: 'timeout' });
    } finally {
      off();
    }
  });

  it("take the cluster's own TLS settings as a generated call does, a context without a user included (skip-TLS-verify)", async () => {
    const open = await startSandboxCluster({ name: 'open', speed: 100, tls: true, nodeAgent: false, controllers: false });
    try {
      const server = (JSON.parse(open.kubeconfig) as { clusters: { cluster: { server: string } }[] }).clusters[0]!.cluster.server;
      const userless = new KubeConfig();
      userless.loadFromOptions({
        clusters: [{ name: 'open', server, skipTLSVerify: true }],
        users: [],
        contexts: [{ name: 'open', cluster: 'open' }],
        currentContext: 'open',
      });
      const kc = new BoundedKubeConfig(userless, { cluster: 'open', timeouts: DEFAULT_KUBE_TIMEOUTS });
      expect(takesJsonCalls(kc)).toBe(true);
      const made = (await clientCache(() => kc)('open').hot.createService('default', renderService({ ...target, namespace: 'default' }, settings.ports)!)) as { metadata: { name: string } };
      expect(made.metadata.name).toBe('shop-production');
      // A server URL with credentials of its own keeps the generated clients (node-fetch sends them).
      const withCredentials = new KubeConfig();
      withCredentials.loadFromOptions({ clusters: [{ name: 'c', server: server.replace('https://', 'https://me:pw@'), skipTLSVerify: true }], users: [], contexts: [{ name: 'c', cluster: 'c' }], currentContext: 'c' });
      expect(takesJsonCalls(new BoundedKubeConfig(withCredentials, { cluster: 'c', timeouts: DEFAULT_KUBE_TIMEOUTS }))).toBe(false);
    } finally {
      await open.stop();
    }
  });
});
