/**
 * The node agent's plain JSON requests (src/sandbox/node/rest.ts) over HTTPS with a bearer token, as a sandbox
 * started with `tls` and `token` serves them: a pod's status writes, its events and its Services' variables go
 * through them; a refusal rejects with its HTTP status and text, as client-node's calls do.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { createRest } from '../../../src/sandbox/node/rest.js';
import { waitForEvent, waitForPod, type TestCluster } from './helpers.js';

let cluster: SandboxCluster;
let t: TestCluster;
beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'resttls', speed: 100, nodes: 1, tls: true, token: 'rest-token' });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  t = { cluster, kc, core: kc.makeApiClient(CoreV1Api), node: 'resttls-node-1', stop: () => cluster.stop() };
});
afterAll(() => cluster?.stop());

describe('the node agent over HTTPS with a token', () => {
  it("writes a pod's status and events, and gives its container the namespace's Services", async () => {
    expect(cluster.url).toMatch(/^https:/);
    await t.core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web-api' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } } });
    const svc = await t.core.readNamespacedService({ name: 'web-api', namespace: 'default' });
    await t.core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'envy' }, spec: { containers: [{ name: 'c', image: 'busybox:1.29', command: ['sh', '-c', 'env; sleep 3600'] }] } },
    });
    const running = await waitForPod(t, 'envy', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running) && p.status?.phase === 'Running');
    expect(running.status?.podIP).toBeTruthy();
    await waitForEvent(t, 'envy', 'Started');
    const log = await t.core.readNamespacedPodLog({ name: 'envy', namespace: 'default' });
    expect(log).toContain(`WEB_API_SERVICE_HOST=${svc.spec?.clusterIP}`);
    expect(log).toContain('WEB_API_SERVICE_PORT_HTTP=80');
  });

  it('answers JSON, and rejects a refusal with its status and text', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    const rest = createRest(kc, 5_000);
    try {
      const list = await rest.call<{ kind: string; items: { metadata: { name: string } }[] }>('GET', '/api/v1/namespaces/default/services');
      expect(list.kind).toBe('ServiceList');
      expect(list.items.map((s) => s.metadata.name)).toContain('kubernetes');
      expect(await rest.call('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'made' }, data: { a: '1' } }, discard: true })).toBeUndefined();
      expect((await t.core.readNamespacedConfigMap({ name: 'made', namespace: 'default' })).data).toEqual({ a: '1' });
      const missing = await rest.call('GET', '/api/v1/namespaces/default/pods/none').catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 404 });
      expect(JSON.parse((missing as { body: string }).body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
      const refused = await rest
        .call('PATCH', '/api/v1/namespaces/default/configmaps/made', { body: [{ op: 'test', path: '/data/a', value: '2' }], contentType: 'application/json-patch+json', discard: true })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 422 });
    } finally {
      rest.close();
    }
    // Without the token the API server refuses.
    const anonymous = new KubeConfig();
    const doc = JSON.parse(cluster.kubeconfig) as { users: { user: Record<string, unknown> }[] };
    for (const u of doc.users) u.user = {};
    anonymous.loadFromString(JSON.stringify(doc));
    const noToken = createRest(anonymous, 5_000);
    try {
      expect(await noToken.call('GET', '/api/v1/namespaces').catch((e: unknown) => e)).toMatchObject({ code: 401 });
    } finally {
      noToken.close();
    }
  });

  it('reads the credentials again after a 401 (one that expired) and sends the call once more', async () => {
    // A kubeconfig whose credential changes, as an exec plugin's does when it expires.
    let token = 'expired';
    let reads = 0;
    class Rotating extends KubeConfig {
      override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
        await super.applyToHTTPSOptions(opts);
        reads += 1;
        (opts as { headers?: Record<string, string> }).headers = { ...(opts as { headers?: Record<string, string> }).headers, Authorization: `Bearer ${token}` };
      }
    }
    const kc = new Rotating();
    kc.loadFromString(cluster.kubeconfig);
    const rest = createRest(kc, 5_000);
    try {
      // Refused twice (the credential read again is still the expired one): the 401 is the caller's.
      expect(await rest.call('GET', '/api/v1/namespaces/default').catch((e: unknown) => e)).toMatchObject({ code: 401 });
      expect(reads).toBe(2);
      token = 'rest-token';
      expect(await rest.call<{ metadata: { name: string } }>('GET', '/api/v1/namespaces/default')).toMatchObject({ metadata: { name: 'default' } });
      expect(reads).toBe(3);
      // Kept while it is accepted.
      await rest.call('GET', '/api/v1/namespaces/default');
      expect(reads).toBe(3);
    } finally {
      rest.close();
    }
  });

  it('gives up a call the API server never answers after its time bound, with no status (retried as a lost connection)', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    const rest = createRest(kc, 300);
    const off = cluster.faults.hangRequests({ verb: 'list', resource: 'services', times: 1 });
    try {
      const started = performance.now();
      const hung = await rest.call('GET', '/api/v1/namespaces/default/services').catch((e: unknown) => e);
      expect(hung).toMatchObject({ code: undefined, body: '', message: 'no answer within 300 ms' });
      expect(performance.now() - started).toBeLessThan(5_000);
      // The next call goes through.
      expect(await rest.call<{ kind: string }>('GET', '/api/v1/namespaces/default/services')).toMatchObject({ kind: 'ServiceList' });
    } finally {
      off();
      rest.close();
    }
  });
});
