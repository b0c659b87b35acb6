/** Test harness: a sandbox API server on port 0 over a fresh store, with a client-node KubeConfig for it. */
import { KubeConfig } from '@kubernetes/client-node';
import { createClock } from '../../../src/sandbox/clock.js';
import { createStore } from '../../../src/sandbox/store/store.js';
import { startApiServer, type ApiServerOptions } from '../../../src/sandbox/apiserver/server.js';
import { kubeconfigText } from '../../../src/sandbox/apiserver/kubeconfig.js';

export const TOKEN = 'test-token';

export async function startServer(options: Partial<Pick<ApiServerOptions, 'token' | 'bookmarkIntervalMs' | 'tls'>> & { speed?: number } = {}) {
  const clock = createClock(options.speed ?? 100);
  const store = createStore(clock);
  const token = options.token ?? TOKEN;
  const api = await startApiServer({ store, clock, token: token || undefined, bookmarkIntervalMs: options.bookmarkIntervalMs, tls: options.tls });
  const kubeconfig = kubeconfigText([{ name: 'sandbox-test', url: api.url, token, certificateAuthority: api.certificateAuthority }]);
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const request = (path: string, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...((init.headers as Record<string, string>) ?? {}) } });
  return { api, store, clock, kc, kubeconfig, token, request, close: () => api.close() };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/** Reads a watch response line by line as parsed events. */
export async function* watchEvents(response: Response): AsyncGenerator<{ type: string; object: any }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
}

export const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' }, ...((extra.metadata as object) ?? {}) },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...((extra.spec as object) ?? {}) },
});

export const deployment = (name: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
  },
});
