/**
 * Every cluster has one keep-alive agent: API calls reuse connections (client-node alone opens a
 * new one per call), and the connect bound still applies to a call that needs a new connection.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';

let server: Server;
let connections = 0;
let kc: KubeConfig;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: req.url?.split('/').pop() } }));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the keep-alive agent of a cluster', () => {
  it('serves many calls, one after another and side by side, over few connections', async () => {
    const core = new BoundedKubeConfig(kc, { cluster: 'c', timeouts: DEFAULT_KUBE_TIMEOUTS }).makeApiClient(CoreV1Api);
    connections = 0;
    for (let i = 0; i < 10; i++) expect((await core.readNamespace({ name: `n${i}` })).metadata?.name).toBe(`n${i}`);
    expect(connections).toBe(1);
    const names = await Promise.all(Array.from({ length: 5 }, (_, i) => core.readNamespace({ name: `p${i}` }).then((n) => n.metadata?.name)));
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(connections).toBeLessThanOrEqual(5);
  });

  it('two API clients of the same cluster share it', async () => {
    const bounded = new BoundedKubeConfig(kc, { cluster: 'c', timeouts: DEFAULT_KUBE_TIMEOUTS });
    await bounded.makeApiClient(CoreV1Api).readNamespace({ name: 'warm' });
    connections = 0;
    await bounded.makeApiClient(CoreV1Api).readNamespace({ name: 'a' });
    await bounded.makeApiClient(CoreV1Api).readNamespace({ name: 'b' });
    expect(connections).toBe(0);
  });
});
