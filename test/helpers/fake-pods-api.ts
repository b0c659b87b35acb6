import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** A pod the fake API lists: its namespace, labels and phase. */
export interface FakePod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
}

/**
 * A minimal Kubernetes API on loopback (port 0) that answers
 * GET /api/v1[/namespaces/<ns>]/pods?labelSelector=k=v from `pods`, lists no events, Deployments or
 * StatefulSets, and holds a watch of any of them open without ever sending an event (so live
 * status's informers fill and stay quiet);
 * anything else is 404, and `down` makes it answer 503.
 */
export interface FakePodsApi {
  url: string;
  pods: FakePod[];
  down: boolean;
  /** Paths (with query) it was asked for. */
  requests: string[];
  kubeConfig(contextName: string): KubeConfig;
  stop(): Promise<void>;
}

export async function startFakePodsApi(): Promise<FakePodsApi> {
  const api: FakePodsApi = { url: '', pods: [], down: false, requests: [], kubeConfig: () => new KubeConfig(), stop: async () => {} };
  const server = createServer((req, res) => {
    api.requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    // Pods and events (core), Deployments and StatefulSets (apps): in one namespace, or across all of them.
    const match = /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+))?\/(pods|events|deployments|statefulsets)$/.exec(url.pathname);
    const core = url.pathname.startsWith('/api/v1/');
    const kindOk = match && (core ? ['pods', 'events'] : ['deployments', 'statefulsets']).includes(match[2]!);
    if (api.down || !match || !kindOk) {
      const code = api.down ? 503 : 404;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code }));
      return;
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return; // held open: nothing ever changes
    }
    const [key, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
    const items =
      match[2] !== 'pods'
        ? []
        : api.pods
            .filter((p) => (match[1] === undefined || p.namespace === match[1]) && (!key || p.labels[key] === value))
            .map((p) => ({ metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, status: { phase: p.phase } }));
    res.writeHead(200, { 'content-type': 'application/json' });
    const kinds: Record<string, string> = { pods: 'PodList', events: 'EventList', deployments: 'DeploymentList', statefulsets: 'StatefulSetList' };
    res.end(JSON.stringify({ kind: kinds[match[2]!], apiVersion: core ? 'v1' : 'apps/v1', metadata: { resourceVersion: '1' }, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.kubeConfig = (contextName) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: contextName, server: api.url, skipTLSVerify: true }],
      users: [{ name: 'tester', token: 'not-a-secret' }],
      contexts: [{ name: contextName, cluster: contextName, user: 'tester' }],
      currentContext: contextName,
    });
    return kc;
  };
  api.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
